/**
 * Saved compressor state: versioned bytes that carry the step counter, every tensor's residual and
 * the SHA-256 of the Wasm builds that produced them, so state from an incompatible build is refused
 * (the content-hash idea of hash-wasm's saved states). Layout, little-endian:
 *
 *   0  "SGST" magic   4  u16 version (1)   6  u16 flags (bit 0: error feedback, bit 1: momentum)
 *   8  32 bytes build hash     40 u32 step (low)         44 u32 step (high)
 *   48 u32 tensor count, then per tensor: u16 name length, UTF-8 name, u32 length,
 *      length × f32 residual (only with error feedback), length × f32 momentum (only with momentum)
 *   u32 aux length, aux: UTF-8 JSON object (running statistics of dynamic rules)
 *   last 4 bytes: CRC-32C of every byte before them.
 */
import { StateError } from './errors.ts';
import { buildHash } from './backends/wasm/core.ts';
import { crc32c } from './codec/crc32c.ts';

/** One tensor of saved state. */
export interface SavedTensor {
  name: string;
  length: number;
  /** Residual (empty without error feedback). */
  residual: Float32Array;
  /** Momentum (DGC momentum correction), when on. */
  momentum?: Float32Array;
}

/** The content of saved state. */
export interface SavedState {
  step: number;
  errorFeedback: boolean;
  momentum: boolean;
  tensors: SavedTensor[];
  /** JSON-serialisable extra state (planner statistics, …). */
  aux: Record<string, unknown>;
}

const MAGIC = [0x53, 0x47, 0x53, 0x54];
const VERSION = 1;
const HEADER = 52;

function hashBytes(): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(buildHash.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Serialises state. */
export function encodeState(state: SavedState): Uint8Array {
  const enc = new TextEncoder();
  const names = state.tensors.map((t) => enc.encode(t.name));
  const aux = enc.encode(JSON.stringify(state.aux));
  let size = HEADER + 4 + 4 + aux.length;
  const per = (state.errorFeedback ? 4 : 0) + (state.momentum ? 4 : 0);
  state.tensors.forEach((t, j) => (size += 2 + names[j]!.length + 4 + t.length * per));
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint16(4, VERSION, true);
  dv.setUint16(6, (state.errorFeedback ? 1 : 0) | (state.momentum ? 2 : 0), true);
  out.set(hashBytes(), 8);
  dv.setUint32(40, state.step % 2 ** 32, true);
  dv.setUint32(44, Math.floor(state.step / 2 ** 32), true);
  dv.setUint32(48, state.tensors.length, true);
  let p = HEADER;
  state.tensors.forEach((t, j) => {
    dv.setUint16(p, names[j]!.length, true);
    out.set(names[j]!, p + 2);
    p += 2 + names[j]!.length;
    dv.setUint32(p, t.length, true);
    p += 4;
    for (const [on, a] of [[state.errorFeedback, t.residual], [state.momentum, t.momentum]] as const) {
      if (!on) continue;
      out.set(new Uint8Array(a!.buffer, a!.byteOffset, t.length * 4), p);
      p += t.length * 4;
    }
  });
  dv.setUint32(p, aux.length, true);
  out.set(aux, p + 4);
  p += 4 + aux.length;
  dv.setUint32(p, crc32c(out, 0, p), true);
  return out;
}

/** Parses and validates state; `errorFeedback` is the restoring compressor's setting. */
export function decodeState(bytes: Uint8Array, errorFeedback: boolean, momentum: boolean): SavedState {
  if (!(bytes instanceof Uint8Array)) throw new StateError('state must be a Uint8Array');
  if (bytes.length < HEADER + 4) throw new StateError(`state is truncated (${bytes.length} bytes)`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new StateError('not sparsegrad state (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(4, true);
  if (version !== VERSION) throw new StateError(`unsupported state version ${version} (this build reads ${VERSION})`);
  const end = bytes.length - 4;
  if (dv.getUint32(end, true) !== crc32c(bytes, 0, end)) throw new StateError('state checksum mismatch (corrupted bytes)');
  const hash = hashBytes();
  if (!hash.every((b, i) => bytes[8 + i] === b)) {
    throw new StateError('state was saved by an incompatible build of the Wasm core (build hash differs)');
  }
  const flags = dv.getUint16(6, true);
  if (flags & ~3) throw new StateError(`state has unknown flags 0x${flags.toString(16)}`);
  const ef = (flags & 1) === 1;
  const mom = (flags & 2) === 2;
  if (ef !== errorFeedback) {
    throw new StateError(`state was saved with errorFeedback ${ef}, but this compressor has ${errorFeedback}`);
  }
  if (mom !== momentum) throw new StateError(`state was saved with momentum ${mom}, but this compressor has ${momentum}`);
  const step = dv.getUint32(40, true) + dv.getUint32(44, true) * 2 ** 32;
  const count = dv.getUint32(48, true);
  const dec = new TextDecoder('utf-8', { fatal: true });
  const tensors: SavedTensor[] = [];
  const seen = new Set<string>();
  let p = HEADER;
  for (let j = 0; j < count; j++) {
    if (p + 2 > end) throw new StateError(`state is truncated in tensor ${j}`);
    const nameLen = dv.getUint16(p, true);
    if (p + 2 + nameLen + 4 > end) throw new StateError(`state is truncated in tensor ${j}`);
    let name: string;
    try {
      name = dec.decode(bytes.subarray(p + 2, p + 2 + nameLen));
    } catch {
      throw new StateError(`tensor ${j} has an invalid UTF-8 name`);
    }
    if (name.length === 0 || seen.has(name)) throw new StateError(`tensor ${j} has an empty or repeated name`);
    seen.add(name);
    p += 2 + nameLen;
    const length = dv.getUint32(p, true);
    p += 4;
    const read = (on: boolean, what: string): Float32Array => {
      const len = on ? length * 4 : 0;
      if (p + len > end) throw new StateError(`state is truncated in the ${what} of '${name}'`);
      const a = new Float32Array(on ? length : 0);
      new Uint8Array(a.buffer).set(bytes.subarray(p, p + len));
      p += len;
      const bad = a.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new StateError(`${what} of '${name}' holds a non-finite value at index ${bad}`);
      return a;
    };
    const residual = read(ef, 'residual');
    const mo = read(mom, 'momentum');
    tensors.push({ name, length, residual, momentum: mom ? mo : undefined });
  }
  if (p + 4 > end) throw new StateError('state is truncated before its aux section');
  const auxLen = dv.getUint32(p, true);
  p += 4;
  if (p + auxLen > end) throw new StateError('state is truncated in its aux section');
  let aux: unknown;
  try {
    aux = JSON.parse(dec.decode(bytes.subarray(p, p + auxLen)));
  } catch {
    throw new StateError('state aux section is not valid UTF-8 JSON');
  }
  if (aux === null || typeof aux !== 'object' || Array.isArray(aux)) throw new StateError('state aux section must be a JSON object');
  p += auxLen;
  if (p !== end) throw new StateError(`state has ${end - p} unexpected trailing bytes`);
  return { step, errorFeedback: ef, momentum: mom, tensors, aux: aux as Record<string, unknown> };
}
