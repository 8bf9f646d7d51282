/**
 * Held merges (top-k, percentile, global-top-k over pieces on several workers), between phase one
 * and the commit: the coordinator adds the pieces' 16-bit key histograms, finds the bucket of the
 * K-th key, asks the workers for that bucket's keys, and derives each piece's exact cut
 * (workers/merge.ts).
 *
 * Candidates per piece: a piece of length n_p in a merge over N elements first returns only its
 * top k_p ≈ K·n_p/N (with a margin, {@link pieceBudget}) instead of its top min(K, n_p) — on a
 * tensor split over two workers that halves the candidates each worker collects, sends keys of and
 * cuts. That is exact whenever no truncated piece has all of its candidates kept: were some
 * element outside piece p's candidates in the global top-K, every candidate of p (all ranked above
 * it) would be in the global top-K too, so the cut would keep all of them. (For `atLeast`, a kept
 * count below the candidate count means the cut key lies above p's k_p-th key, so every key of p at
 * or above the cut is a candidate.) A truncated piece whose candidates are all kept is *extended*:
 * its worker restores the accumulated values of its candidates and selects again with
 * min(K, n_p), which is exact; then the merge is resolved again. Data whose top elements crowd one
 * piece costs that extra round; the result is the same either way.
 */
import { bucketCuts, histSelect, KEEP_NOTHING, type PieceCut } from './merge.ts';
import type { CutSpec } from './protocol.ts';
import type { PieceEntry } from './registry.ts';
import type { Pool } from './pool.ts';

/** A merge whose candidates stay on the workers: top-K (`topk`) or every key at or above the K-th (`atLeast`). */
export interface HeldMerge {
  K: number;
  mode: 'topk' | 'atLeast';
  /**
   * In concatenation order (tensor position, then offset): the piece, the candidates it was asked
   * for (`k`), and the histogram of their keys (arrives in phase one).
   */
  pieces: Array<{ piece: PieceEntry; k: number; hist: Uint32Array }>;
  /** Receives each piece's kept selection (tensor indices), in the order of `pieces`. */
  done(kept: Array<{ indices: Uint32Array; values: Float32Array }>): void;
}

/**
 * Candidates a piece of `n` elements first gives to a merge of K over `total` elements: its share
 * K·n/total, plus 10% and eight standard deviations of a binomial share, plus 16 — so that for
 * data without a bias between pieces an extension is rare; at most min(K, n) (the exact budget).
 */
export function pieceBudget(K: number, n: number, total: number): number {
  const full = Math.min(K, n);
  if (total <= n) return full;
  const share = (K * n) / total;
  return Math.min(full, Math.ceil(share * 1.1 + 8 * Math.sqrt(share) + 16));
}

function histCount(h: Uint32Array): number {
  let c = 0;
  for (let b = 0; b < h.length; b++) c += h[b]!;
  return c;
}

/** What resolving the held merges of a step needs from the step. */
export interface HeldContext {
  pool: Pool;
  token: number;
  /** Reports workers lost during a call (the step then fails); returns the error to throw. */
  lost(phase: string, workers: Map<number, string>): Promise<Error>;
}

/**
 * Resolves every held merge: per worker, the cut of each of its held pieces; and per piece key the
 * number of candidates its cut keeps. Extends truncated pieces until every merge is exact.
 */
export async function resolveHeld(
  ctx: HeldContext, held: HeldMerge[],
): Promise<{ cuts: Map<number, Record<string, CutSpec>>; expect: Map<string, number>; extended: number }> {
  const { pool, token } = ctx;
  let extended = 0;
  for (;;) {
    const selects = held.map((h) => (h.K === 0 ? null : histSelect(h.pieces.map((x) => x.hist), h.K)));
    const asks = new Map<number, Array<{ key: string; bucket: number; h: number; q: number }>>();
    held.forEach((h, hi) => {
      const sel = selects[hi];
      if (!sel) return;
      h.pieces.forEach(({ piece }, q) => {
        let list = asks.get(piece.worker);
        if (!list) asks.set(piece.worker, (list = []));
        list.push({ key: piece.desc.key, bucket: sel.bucket, h: hi, q });
      });
    });
    const bucketKeys: Uint32Array[][] = held.map((h) => h.pieces.map(() => new Uint32Array(0)));
    const asked = [...asks.keys()];
    const answers = await Promise.allSettled(asked.map((w) =>
      pool.slots[w]!.call('bucket', (r) => r.bucket(token, asks.get(w)!.map(({ key, bucket }) => ({ key, bucket }))))));
    const lost = new Map<number, string>();
    answers.forEach((a, i) => {
      const w = asked[i]!;
      if (a.status === 'rejected') lost.set(w, (a.reason as Error).message);
      else asks.get(w)!.forEach((x, k) => (bucketKeys[x.h]![x.q] = a.value[k]!));
    });
    if (lost.size > 0) throw await ctx.lost('phase one (bucket)', lost);
    const pcs: PieceCut[][] = held.map((h, hi) => {
      const sel = selects[hi];
      return sel ? bucketCuts(sel, bucketKeys[hi]!, h.K, h.mode) : h.pieces.map(() => KEEP_NOTHING);
    });
    // Truncated pieces whose candidates are all kept may hide more: extend them, resolve again.
    const grow = new Map<number, Array<{ h: number; q: number; key: string; k: number; keepTies: boolean }>>();
    held.forEach((h, hi) => h.pieces.forEach((x, q) => {
      const full = Math.min(h.K, x.piece.desc.length);
      if (x.k >= full || pcs[hi]![q]!.kept < histCount(x.hist)) return;
      let list = grow.get(x.piece.worker);
      if (!list) grow.set(x.piece.worker, (list = []));
      list.push({ h: hi, q, key: x.piece.desc.key, k: full, keepTies: h.mode === 'atLeast' });
    }));
    if (grow.size === 0) {
      const cuts = new Map<number, Record<string, CutSpec>>();
      const expect = new Map<string, number>();
      held.forEach((h, hi) => h.pieces.forEach(({ piece }, q) => {
        const pc = pcs[hi]![q]!;
        let rec = cuts.get(piece.worker);
        if (!rec) cuts.set(piece.worker, (rec = {}));
        rec[piece.desc.key] = { T: pc.T, ties: pc.ties, kept: pc.kept };
        expect.set(piece.desc.key, pc.kept);
      }));
      return { cuts, expect, extended };
    }
    const growers = [...grow.keys()];
    const grown = await Promise.allSettled(growers.map((w) =>
      pool.slots[w]!.call('extend', (r) => r.extend(token, grow.get(w)!.map(({ key, k, keepTies }) => ({ key, k, keepTies }))))));
    grown.forEach((a, i) => {
      const w = growers[i]!;
      if (a.status === 'rejected') lost.set(w, (a.reason as Error).message);
      else {
        grow.get(w)!.forEach((x, j) => {
          const entry = held[x.h]!.pieces[x.q]!;
          entry.hist = a.value[j]!;
          entry.k = x.k;
          extended++;
        });
      }
    });
    if (lost.size > 0) throw await ctx.lost('phase one (extend)', lost);
  }
}
