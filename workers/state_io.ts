/**
 * A pool tensor's state assembled from, and split into, the states of its pieces on the workers;
 * saved as the in-thread compressor saves it (ts-api/state_bundle.ts), so state moves freely
 * between the in-thread compressor and a pool of any size.
 */
import type { TensorState } from '../ts-api/state_bundle.ts';
import type { PieceState } from './protocol.ts';
import type { PieceEntry, TensorEntry } from './registry.ts';

export type { TensorState } from '../ts-api/state_bundle.ts';

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
