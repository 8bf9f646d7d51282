/**
 * The stages of a pool step after selection that the coordinator decides, because they need the
 * final selection of every tensor (`residualAdditions` of ts-api/step_stages.ts, as in-thread): the
 * per-client byte budget (the largest magnitude-rank prefix whose frame fits; dropped values go
 * back to the residual), the quantisation error of lossy value codes (added to the residual), and
 * the positions momentum-factor masking zeroes. They come back to the workers as per-piece lists
 * with the commit, which applies them in the in-thread order (workers/engine.ts `finish`).
 * (Lin et al., "Deep Gradient Compression", ICLR 2018; Sattler et al., IEEE TNNLS 2019.)
 */
import type { CompressorOptions } from '../ts-api/config.ts';
import { residualAdditions } from '../ts-api/step_stages.ts';
import type { CompressedTensor } from '../ts-api/types.ts';
import type { Fixup } from './protocol.ts';
import type { PieceEntry, TensorEntry } from './registry.ts';

/** Per worker, what its commit applies after the fix-ups. */
export interface PostLists {
  adds: Map<number, Fixup[]>;
  sent: Map<number, Array<{ key: string; indices: Uint32Array }>>;
}

/** Whether a step needs the coordinator's post stages (and so the final selection before commit). */
export function needsPost(o: Readonly<CompressorOptions>): boolean {
  const lossy = [o, ...Object.values(o.tensors ?? {})].some((t) => t.values !== undefined && t.values !== 'f32');
  return lossy || o.budgetBytes !== undefined || (o.momentum !== undefined && (o.momentumMasking ?? true));
}

/** Splits tensor positions (and values) over the tensor's pieces, as piece-local lists. */
function byPiece(t: TensorEntry, indices: Uint32Array, values?: Float32Array): Array<{ p: PieceEntry; indices: Uint32Array; values: Float32Array }> {
  const ps = t.pieces;
  const idx: number[][] = ps.map(() => []);
  const val: number[][] = ps.map(() => []);
  for (let q = 0; q < indices.length; q++) {
    const i = indices[q]!;
    let c = ps.length - 1;
    while (c > 0 && ps[c]!.desc.offset > i) c--;
    idx[c]!.push(i - ps[c]!.desc.offset);
    if (values) val[c]!.push(values[q]!);
  }
  return ps.flatMap((p, c) => (idx[c]!.length === 0 ? [] : [{ p, indices: Uint32Array.from(idx[c]!), values: Float32Array.from(val[c]!) }]));
}

/**
 * Applies the budget to `out` and returns the final tensors with, per worker, the residual
 * additions (dropped values, value-code errors) and the sent positions for momentum masking.
 * @throws ConfigError when the budget cannot be met (as the in-thread compressor).
 */
export function postStages(
  o: Readonly<CompressorOptions>, step: number, tensors: TensorEntry[], out: CompressedTensor[],
): { tensors: CompressedTensor[]; lists: PostLists } {
  const ef = o.errorFeedback ?? true;
  const lists: PostLists = { adds: new Map(), sent: new Map() };
  const add = (t: TensorEntry, indices: Uint32Array, values: Float32Array): void => {
    for (const part of byPiece(t, indices, values)) {
      let l = lists.adds.get(part.p.worker);
      if (!l) lists.adds.set(part.p.worker, (l = []));
      l.push({ key: part.p.desc.key, indices: part.indices, values: part.values });
    }
  };
  const { tensors: final, adds } = residualAdditions(o, ef, out, step);
  adds.forEach((list, j) => list.forEach((d) => add(tensors[j]!, d.indices, d.values)));
  if (o.momentum !== undefined && (o.momentumMasking ?? true)) {
    final.forEach((t, j) => {
      for (const part of byPiece(tensors[j]!, t.indices)) {
        let l = lists.sent.get(part.p.worker);
        if (!l) lists.sent.set(part.p.worker, (l = []));
        l.push({ key: part.p.desc.key, indices: part.indices });
      }
    });
  }
  return { tensors: final, lists };
}
