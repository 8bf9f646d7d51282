/**
 * A compressor's whole state — step counter, residuals, momenta, learned masks with their EMA, the
 * caller's mask scores and the planner's statistics — to and from the saved-state bytes of
 * ts-api/state.ts, validated in full before anything changes. The in-thread compressor and the
 * worker pool both save and restore through it, so their bytes are the same.
 */
import { ShapeError } from './errors.ts';
import type { MaskMeta } from './slot.ts';
import { decodeState, encodeState } from './state.ts';
import { f32ToBase64, parseMaskScores, parseMasks } from './state_masks.ts';

/** One tensor's whole state: residual, momentum, mask EMA (absent: zeros) and mask (absent: none). */
export interface TensorState {
  r?: Float32Array;
  u?: Float32Array;
  e?: Float32Array;
  meta?: MaskMeta;
}

/** A compressor's whole state, as saved. */
export interface CompressorState {
  step: number;
  planner: Record<string, number>;
  /** Per tensor, in first-seen order. */
  tensors: Array<{ name: string; length: number; state: TensorState }>;
  maskScores: ReadonlyMap<string, Float32Array>;
}

/** The saved-state bytes (ts-api/state.ts) of a compressor's state. */
export function encodeCompressorState(s: CompressorState, errorFeedback: boolean, momentum: boolean): Uint8Array {
  const masks: Record<string, { step: number; indices: number[]; ema: string }> = {};
  for (const t of s.tensors) {
    const { meta, e } = t.state;
    if (!meta || !e) continue;
    masks[t.name] = { step: meta.maskStep, indices: Array.from(meta.mask), ema: f32ToBase64(e) };
  }
  const maskScores = Object.fromEntries([...s.maskScores].map(([name, v]) => [name, f32ToBase64(v)]));
  return encodeState({
    step: s.step, errorFeedback, momentum,
    tensors: s.tensors.map((t) => ({
      name: t.name, length: t.length,
      residual: errorFeedback ? (t.state.r ?? new Float32Array(t.length)) : new Float32Array(0),
      momentum: momentum ? (t.state.u ?? new Float32Array(t.length)) : undefined,
    })),
    aux: { planner: s.planner, masks, maskScores },
  });
}

/**
 * Decodes and validates state bytes for a compressor whose tensors have the given lengths (tensors
 * it does not know yet are fine). Throws StateError or ShapeError, changing nothing.
 */
export function decodeCompressorState(
  bytes: Uint8Array, errorFeedback: boolean, momentum: boolean, lengthOf: (name: string) => number | undefined,
): CompressorState {
  const state = decodeState(bytes, errorFeedback, momentum);
  for (const t of state.tensors) {
    const have = lengthOf(t.name);
    if (have !== undefined && have !== t.length) {
      throw new ShapeError(`saved tensor '${t.name}' has length ${t.length}, but this compressor's has ${have}`);
    }
  }
  const masks = parseMasks(state.aux.masks, new Map(state.tensors.map((t) => [t.name, t.length])));
  const maskScores = parseMaskScores(state.aux.maskScores);
  return {
    step: state.step,
    planner: (state.aux as { planner?: Record<string, number> }).planner ?? {},
    maskScores,
    tensors: state.tensors.map((t) => {
      const m = masks.get(t.name);
      const st: TensorState = {};
      if (errorFeedback) st.r = t.residual;
      if (momentum && t.momentum) st.u = t.momentum;
      if (m) {
        st.e = m.ema;
        st.meta = { mask: m.indices, maskStep: m.step };
      }
      return { name: t.name, length: t.length, state: st };
    }),
  };
}
