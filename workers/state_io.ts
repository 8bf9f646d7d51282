/**
 * Saved state of a worker pool: the in-thread compressor's bytes (ts-api/state.ts) assembled from
 * the pieces on the workers — residuals, momenta, learned masks with their EMA, the caller's mask
 * scores and the planner's statistics — and the inverse, validated in full before anything changes.
 * The same bytes as `Compressor.saveState` for the same steps, so state moves freely between the
 * in-thread compressor and a pool of any size.
 */
import { ShapeError } from '../ts-api/errors.ts';
import { decodeState, encodeState } from '../ts-api/state.ts';
import { f32ToBase64, parseMaskScores, parseMasks } from '../ts-api/state_masks.ts';
import type { MaskMeta, PieceState } from './protocol.ts';
import type { PieceEntry, TensorEntry } from './registry.ts';

/** One tensor's whole state: residual, momentum, mask EMA (absent: zeros) and mask (absent: none). */
export interface TensorState {
  r?: Float32Array;
  u?: Float32Array;
  e?: Float32Array;
  meta?: MaskMeta;
}

/** A tensor's state from its pieces' states (a split tensor's arrays are concatenated). */
export function joinPieces(t: TensorEntry, got: ReadonlyMap<PieceEntry, PieceState>): TensorState {
  if (t.pieces.length === 1) return got.get(t.pieces[0]!)!;
  const out: TensorState = {};
  for (const a of ['r', 'u', 'e'] as const) {
    if (!t.pieces.some((p) => got.get(p)![a])) continue;
    const v = new Float32Array(t.length);
    for (const p of t.pieces) {
      const part = got.get(p)![a];
      if (part) v.set(part, p.desc.offset);
    }
    out[a] = v;
  }
  return out;
}

/** A piece's share of a tensor's state. */
export function pieceShare(p: PieceEntry, st: TensorState): PieceState {
  const { offset, length } = p.desc;
  const cut = (v: Float32Array | undefined) => v?.slice(offset, offset + length);
  const out: PieceState = {};
  for (const a of ['r', 'u', 'e'] as const) {
    const v = cut(st[a]);
    if (v) out[a] = v;
  }
  if (st.meta) out.meta = { mask: st.meta.mask.slice(), maskStep: st.meta.maskStep };
  return out;
}

/** What a pool's saved state holds. */
export interface PoolState {
  step: number;
  planner: Record<string, number>;
  /** Per tensor, in first-seen order. */
  tensors: Array<{ name: string; length: number; state: TensorState }>;
  maskScores: ReadonlyMap<string, Float32Array>;
}

/** The in-thread compressor's state bytes for a pool's state. */
export function encodePoolState(s: PoolState, errorFeedback: boolean, momentum: boolean): Uint8Array {
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
 * Decodes and validates state bytes for a pool whose tensors have the given lengths (tensors it
 * does not know yet are fine). Throws StateError or ShapeError, changing nothing.
 */
export function decodePoolState(
  bytes: Uint8Array, errorFeedback: boolean, momentum: boolean, lengthOf: (name: string) => number | undefined,
): PoolState {
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
