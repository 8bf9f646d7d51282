/**
 * Learned-mask state in saved state's aux section: the mask (kept positions), the step it was made
 * at, and the EMA of |g| as base64 of little-endian f32 bytes; validated before anything changes.
 */
import { StateError } from './errors.ts';

/** f32 array as base64 of its little-endian bytes. */
export function f32ToBase64(v: Float32Array): string {
  const b = new Uint8Array(v.slice().buffer);
  let bin = '';
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** The inverse of f32ToBase64, or undefined for malformed input. */
export function base64ToF32(s: string): Float32Array | undefined {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    return undefined;
  }
  if (bin.length % 4 !== 0) return undefined;
  return new Float32Array(Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer);
}

/** Validates the saved learned masks (aux.masks) against the saved tensors' lengths. */
export function parseMasks(raw: unknown, lengths: Map<string, number>): Map<string, { step: number; indices: Uint32Array; ema: Float32Array }> {
  const out = new Map<string, { step: number; indices: Uint32Array; ema: Float32Array }>();
  if (raw === undefined) return out;
  if (raw === null || typeof raw !== 'object') throw new StateError('state aux.masks must be an object');
  for (const [name, v] of Object.entries(raw as Record<string, { step?: unknown; indices?: unknown; ema?: unknown }>)) {
    const n = lengths.get(name);
    if (n === undefined) throw new StateError(`saved mask of unknown tensor '${name}'`);
    const ok = Number.isInteger(v.step) && Array.isArray(v.indices) && typeof v.ema === 'string';
    if (!ok) throw new StateError(`saved mask of '${name}' is malformed`);
    const idx = Uint32Array.from(v.indices as number[]);
    if (idx.some((i, q) => i >= n || (q > 0 && i <= idx[q - 1]!))) throw new StateError(`saved mask of '${name}' has bad indices`);
    const ema = base64ToF32(v.ema as string);
    if (!ema || ema.length !== n || ema.some((x) => !Number.isFinite(x))) throw new StateError(`saved mask EMA of '${name}' is malformed`);
    out.set(name, { step: v.step as number, indices: idx, ema });
  }
  return out;
}


/** Validates the saved caller mask scores (aux.maskScores): name → finite f32 values. */
export function parseMaskScores(raw: unknown): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, b64] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const v = typeof b64 === 'string' ? base64ToF32(b64) : undefined;
    if (!v || v.some((x) => !Number.isFinite(x))) throw new StateError(`saved mask scores of '${name}' are malformed`);
    out.set(name, v);
  }
  return out;
}
