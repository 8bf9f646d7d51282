/**
 * Per-client byte budget: shrink a step's selection until its encoded frame fits `budgetBytes`.
 * For magnitude-ranked methods a smaller selection is a prefix, by rank, of the one already made
 * (top-K' of the top-K), so the budget keeps the K' kept elements of largest magnitude across all
 * tensors of the step (ties: tensor order, then index) for the largest K' whose frame fits — found
 * by bisection on exact frame sizes — and returns the dropped elements to the residual.
 * (Budgeted federated uploads: Sattler et al., "Robust and Communication-Efficient Federated
 * Learning from Non-IID Data", IEEE TNNLS 2019; Konečný et al., 2016.)
 */
import { ConfigError } from './errors.ts';
import type { CompressedTensor } from './types.ts';
import { encodeFrame, type EncodeTensor } from './codec/index.ts';

/** Methods whose kept set shrinks by magnitude rank. */
export const BUDGET_METHODS: ReadonlySet<string> = new Set(['topk', 'threshold', 'percentile', 'approx-topk', 'global-topk', 'hybrid']);

const key = (x: number): number => Math.abs(x);

/** The selection restricted to the first `keep` elements by global rank. */
function prefix(tensors: CompressedTensor[], order: Array<[number, number]>, keep: number): CompressedTensor[] {
  const chosen = tensors.map((t) => new Uint8Array(t.indices.length));
  for (let r = 0; r < keep; r++) chosen[order[r]![0]]![order[r]![1]] = 1;
  return tensors.map((t, j) => {
    const c = chosen[j]!;
    const idx: number[] = [];
    const val: number[] = [];
    for (let q = 0; q < c.length; q++) {
      if (c[q]) {
        idx.push(t.indices[q]!);
        val.push(t.values[q]!);
      }
    }
    return { ...t, indices: Uint32Array.from(idx), values: Float32Array.from(val) };
  });
}

/**
 * The largest rank prefix of `tensors` whose frame fits `budget` bytes, and for each tensor the
 * positions (into its original selection) that were dropped. Throws ConfigError when even an empty
 * selection does not fit or a tensor's method cannot be trimmed by rank.
 */
export function fitToBudget(
  step: number, tensors: CompressedTensor[], budget: number,
): { tensors: CompressedTensor[]; dropped: Array<{ indices: Uint32Array; values: Float32Array }> } {
  for (const t of tensors) {
    if (!BUDGET_METHODS.has(t.method)) {
      throw new ConfigError(`budgetBytes cannot trim method '${t.method}' of tensor '${t.name}' (magnitude-ranked methods only)`);
    }
  }
  const size = (ts: CompressedTensor[]) => encodeFrame({ step, tensors: ts as EncodeTensor[] }).length;
  const total = tensors.reduce((a, t) => a + t.indices.length, 0);
  if (size(tensors) <= budget) return { tensors, dropped: tensors.map(() => ({ indices: new Uint32Array(0), values: new Float32Array(0) })) };
  const order: Array<[number, number]> = [];
  tensors.forEach((t, j) => t.values.forEach((_, q) => order.push([j, q])));
  order.sort((a, b) => {
    const d = key(tensors[b[0]]!.values[b[1]]!) - key(tensors[a[0]]!.values[a[1]]!);
    return d !== 0 ? d : a[0] - b[0] || tensors[a[0]]!.indices[a[1]]! - tensors[b[0]]!.indices[b[1]]!;
  });
  const empty = size(prefix(tensors, order, 0));
  if (empty > budget) {
    throw new ConfigError(`budgetBytes = ${budget} cannot hold even the frame's headers (${empty} bytes)`);
  }
  let lo = 0;
  let hi = total;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(prefix(tensors, order, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const kept = prefix(tensors, order, lo);
  const dropped = tensors.map((t, j) => {
    const keepSet = new Set(kept[j]!.indices);
    const idx: number[] = [];
    const val: number[] = [];
    t.indices.forEach((i, q) => {
      if (!keepSet.has(i)) {
        idx.push(i);
        val.push(t.values[q]!);
      }
    });
    return { indices: Uint32Array.from(idx), values: Float32Array.from(val) };
  });
  return { tensors: kept, dropped };
}
