/**
 * Exact merges for selections that span several pieces (chunks of a split tensor, or the tensors of
 * a joint group held by different workers). Phase one gave, per piece, its candidates: the piece's
 * own top-k_p with k_p = min(budget, piece length) (keepTies: every element at or above the piece's
 * k_p-th key), ascending by index, with their accumulated values. Why that is enough:
 *
 * - Ranking is by key descending, ties by position in the concatenation of the pieces (tensor
 *   position, then index — docs/selection.md). Pieces are contiguous and listed in concatenation
 *   order, so the global ranking restricted to one piece is that piece's own ranking, and the global
 *   top-K restricted to a piece is a prefix of the piece's ranking of length at most min(K, n_p) —
 *   always inside the candidates.
 * - The K-th largest key over the union of candidates is the K-th largest key overall (the union
 *   holds the global top-K, and is a subset of everything).
 * - With keepTies the candidates hold every element of the piece at or above its own k_p-th key,
 *   which is at most the global K-th key, so "every key ≥ T" is also inside the candidates.
 *
 * Two ways to find the cut. Held merges (top-k, percentile, global-top-k — the hot path): the
 * candidates stay on the workers, which send 65536-bin histograms of their keys' top 16 bits; the
 * coordinator finds the bucket of the K-th key ({@link histSelect}), asks the workers for that
 * bucket's keys only, and derives the exact cut key and each piece's share of the ties
 * ({@link bucketCuts}); the workers then apply the cut and restore the accumulated value of the
 * candidates they reject into the new residual. Shipped merges (hybrid, whose per-tensor and
 * global parts combine): the candidates come to the coordinator, which finds the cut by the same histogram steps
 * ({@link cutsOver}) and sends the rejected ones back as fix-ups.
 */
import type { SelectionOut } from './protocol.ts';

/** One piece's candidates: local indices (ascending) and accumulated values. */
export interface CandPiece {
  /** First element of the piece in its tensor (added to the indices of the final selection). */
  offset: number;
  cand: SelectionOut;
}

/** The split of one piece's candidates into kept (tensor indices) and rejected (local indices). */
export interface PieceSplit {
  kept: SelectionOut;
  rejected: SelectionOut;
}

const ABS = 0x7fffffff;

function keysOf(v: Float32Array): Uint32Array {
  return new Uint32Array(v.buffer, v.byteOffset, v.length);
}

/** Histogram of the keys of `values` by their top 16 bits (key >>> 15). */
export function keyHistogram(values: Float32Array): Uint32Array {
  const hist = new Uint32Array(65536);
  const keys = keysOf(values);
  for (let j = 0; j < keys.length; j++) hist[(keys[j]! & ABS) >>> 15]!++;
  return hist;
}

/** The magnitude keys of `values` whose top 16 bits equal `bucket`. */
export function bucketKeys(values: Float32Array, bucket: number): Uint32Array {
  const keys = keysOf(values);
  let m = 0;
  for (let j = 0; j < keys.length; j++) if ((keys[j]! & ABS) >>> 15 === bucket) m++;
  const out = new Uint32Array(m);
  m = 0;
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j]! & ABS;
    if (key >>> 15 === bucket) out[m++] = key;
  }
  return out;
}

/**
 * Per list, the cut at the K-th largest key over all lists (1 ≤ K ≤ total): the held merge's own
 * steps — histograms, the bucket of the K-th key, that bucket's keys — run on lists at hand.
 */
function cutsOver(lists: readonly Float32Array[], K: number, mode: 'topk' | 'atLeast'): PieceCut[] {
  const total = lists.reduce((a, l) => a + l.length, 0);
  if (!(Number.isInteger(K) && K >= 1 && K <= total)) throw new RangeError(`cut at rank ${K} of ${total} keys`);
  const sel = histSelect(lists.map(keyHistogram), K);
  return bucketCuts(sel, lists.map((l) => bucketKeys(l, sel.bucket)), K, mode);
}

/** Key of the element ranked `k`-th (1-based) by magnitude over all lists; `k` must be in [1, total]. */
export function kthLargestKey(lists: readonly Float32Array[], k: number): number {
  return cutsOver(lists, k, 'atLeast')[0]!.T;
}

/**
 * What one piece keeps of its candidates: every key above T, and of the keys equal to T the first
 * `ties` (lowest index); `kept` is the resulting count.
 */
export interface PieceCut {
  T: number;
  ties: number;
  kept: number;
}

const NOTHING: PieceCut = { T: 0xffffffff, ties: 0, kept: 0 };

/** The first `K` by the tie rule over pieces in concatenation order (K ≤ total candidates). */
export function topkCuts(pieces: readonly CandPiece[], K: number): PieceCut[] {
  if (K === 0) return pieces.map(() => NOTHING);
  return cutsOver(pieces.map((p) => p.cand.values), K, 'topk');
}

/** Top-K cut for the generic rules (hybrid's own part). */
export interface Cut {
  T: number;
  ties: number[];
}

/** Top-K cut over pieces (K ≤ total candidates); `null` when K is 0. */
export function topkCut(pieces: readonly CandPiece[], K: number): Cut | null {
  if (K === 0) return null;
  const cuts = topkCuts(pieces, K);
  return { T: cuts[0]!.T, ties: cuts.map((c) => c.ties) };
}

/** A keep rule evaluated in index order over one piece's candidates. */
export type KeepRule = (key: number) => boolean;

/** Keep rule of piece `p` under a top-K cut (stateful: consumes its ties in index order). */
export function cutRule(cut: Cut | null, p: number): KeepRule {
  if (!cut) return () => false;
  const { T } = cut;
  let ties = cut.ties[p]!;
  return (key) => key > T || (key === T && ties-- > 0);
}

/** Keep rule "key ≥ T" (T undefined: keep nothing). */
export function atLeastRule(T: number | undefined): KeepRule {
  if (T === undefined) return () => false;
  return (key) => key >= T;
}

/** Splits one piece's candidates by a keep rule (evaluated in ascending index order). */
export function splitPiece(piece: CandPiece, keep: KeepRule): PieceSplit {
  const { indices, values } = piece.cand;
  const keys = keysOf(values);
  const n = indices.length;
  const mask = new Uint8Array(n);
  let kept = 0;
  for (let j = 0; j < n; j++) {
    if (keep(keys[j]! & ABS)) {
      mask[j] = 1;
      kept++;
    }
  }
  const out: PieceSplit = {
    kept: { indices: new Uint32Array(kept), values: new Float32Array(kept) },
    rejected: { indices: new Uint32Array(n - kept), values: new Float32Array(n - kept) },
  };
  let a = 0;
  let b = 0;
  for (let j = 0; j < n; j++) {
    if (mask[j]) {
      out.kept.indices[a] = indices[j]! + piece.offset;
      out.kept.values[a++] = values[j]!;
    } else {
      out.rejected.indices[b] = indices[j]!;
      out.rejected.values[b++] = values[j]!;
    }
  }
  return out;
}

/** Concatenates selections (already in ascending tensor-index order, one after another). */
export function concatSelections(parts: readonly SelectionOut[]): SelectionOut {
  if (parts.length === 1) return parts[0]!;
  const n = parts.reduce((a, p) => a + p.indices.length, 0);
  const out = { indices: new Uint32Array(n), values: new Float32Array(n) };
  let at = 0;
  for (const p of parts) {
    out.indices.set(p.indices, at);
    out.values.set(p.values, at);
    at += p.indices.length;
  }
  return out;
}

/** Adds `offset` to every index of a selection (in place) and returns it. */
export function shiftIndices(sel: SelectionOut, offset: number): SelectionOut {
  if (offset !== 0) for (let j = 0; j < sel.indices.length; j++) sel.indices[j]! += offset;
  return sel;
}

/** Combines two keep rules with "or" (both are always evaluated, so stateful rules stay in step). */
export function eitherRule(a: KeepRule, b: KeepRule): KeepRule {
  return (key) => {
    const x = a(key);
    const y = b(key);
    return x || y;
  };
}

/** Where the K-th key lies after phase one of held pieces: its 16-bit bucket, and per piece the keys above that bucket. */
export interface BucketSelect {
  bucket: number;
  /** Rank of the K-th key among the keys of the bucket (1-based). */
  rank: number;
  above: number[];
}

/** Finds the bucket (top 16 bits of the key) holding the K-th largest key from per-piece histograms (1 ≤ K ≤ total). */
export function histSelect(hists: readonly Uint32Array[], K: number): BucketSelect {
  let rank = K;
  let b = 65535;
  for (;; b--) {
    let c = 0;
    for (const h of hists) c += h[b]!;
    if (c >= rank || b === 0) break;
    rank -= c;
  }
  const above = hists.map((h) => {
    let c = 0;
    for (let x = b + 1; x < 65536; x++) c += h[x]!;
    return c;
  });
  return { bucket: b, rank, above };
}

/**
 * The per-piece cuts from the bucket's keys (per piece, any order): T is the rank-th largest key
 * of the bucket; `topk` gives ties to pieces in order until K are kept, `atLeast` keeps every tie.
 */
export function bucketCuts(sel: BucketSelect, keys: readonly Uint32Array[], K: number, mode: 'topk' | 'atLeast'): PieceCut[] {
  // Every key of the bucket is bucket·2^15 + its low 15 bits: count those (no sort), then walk down.
  const low = new Uint32Array(32768);
  for (const k of keys) for (let j = 0; j < k.length; j++) low[k[j]! & 0x7fff]!++;
  let rank = sel.rank;
  let b = 32767;
  for (; b > 0 && low[b]! < rank; b--) rank -= low[b]!;
  const T = sel.bucket * 32768 + b;
  const gt = keys.map((_, q) => sel.above[q]!);
  const eq = keys.map(() => 0);
  keys.forEach((k, q) => {
    let g = 0;
    let e = 0;
    for (let j = 0; j < k.length; j++) {
      const x = k[j]!;
      if (x > T) g++;
      else if (x === T) e++;
    }
    gt[q]! += g;
    eq[q] = e;
  });
  if (mode === 'atLeast') return keys.map((_, q) => ({ T, ties: eq[q]!, kept: gt[q]! + eq[q]! }));
  let need = K - gt.reduce((a, c) => a + c, 0);
  return keys.map((_, q) => {
    const ties = Math.min(eq[q]!, need);
    need -= ties;
    return { T, ties, kept: gt[q]! + ties };
  });
}

/** The cut that keeps nothing (K = 0). */
export const KEEP_NOTHING: PieceCut = NOTHING;
