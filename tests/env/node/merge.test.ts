/**
 * The exact merge of workers/merge.ts against brute force: random candidate lists (with many ties,
 * zeros and negative values) split into pieces; the K first by the tie rule (key descending, then
 * position in the concatenation) must be what the cuts keep — via the held path (16-bit
 * histograms, one bucket's keys) and the shipped path (radix select). Seeded; prints its seed.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  bucketCuts, cutRule, histSelect, kthLargestKey, splitPiece, topkCut, type CandPiece, type PieceCut,
} from '../../../workers/merge.ts';

const SEED = 20241123;

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const key = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0]! & 0x7fffffff;

function pieces(r: () => number, count: number, tieLevels: number): CandPiece[] {
  let offset = 0;
  return Array.from({ length: count }, () => {
    const n = Math.floor(r() * 300);
    const values = Float32Array.from({ length: n }, () => {
      const u = r();
      return (u < 0.5 ? -1 : 1) * (tieLevels > 0 ? Math.floor(r() * tieLevels) / 4 : r() * 10);
    });
    const indices = Uint32Array.from({ length: n }, (_, j) => j * 2);
    const p = { offset, cand: { indices, values } };
    offset += 1000;
    return p;
  });
}

function bruteForce(ps: CandPiece[], K: number): Set<string> {
  const all = ps.flatMap((p, q) => Array.from(p.cand.values, (v, j) => ({ k: key(v), q, j })));
  all.sort((a, b) => b.k - a.k || a.q - b.q || a.j - b.j);
  return new Set(all.slice(0, K).map((e) => `${e.q}:${e.j}`));
}

function histogram(values: Float32Array): Uint32Array {
  const h = new Uint32Array(65536);
  for (const v of values) h[key(v) >>> 15]!++;
  return h;
}

it(`held and shipped merges equal brute force (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let trial = 0; trial < 300; trial++) {
    const ps = pieces(r, 1 + Math.floor(r() * 4), trial % 3 === 0 ? 0 : 1 + Math.floor(r() * 6));
    const total = ps.reduce((a, p) => a + p.cand.values.length, 0);
    if (total === 0) continue;
    const K = 1 + Math.floor(r() * total);
    const want = bruteForce(ps, K);
    const what = `seed ${SEED}, trial ${trial}, K ${K} of ${total}`;
    // Held: histograms, then the bucket's keys.
    const sel = histSelect(ps.map((p) => histogram(p.cand.values)), K);
    const keys = ps.map((p) => Uint32Array.from(Array.from(p.cand.values, key).filter((k) => k >>> 15 === sel.bucket)));
    const cuts: PieceCut[] = bucketCuts(sel, keys, K, 'topk');
    const got = new Set<string>();
    ps.forEach((p, q) => {
      let ties = cuts[q]!.ties;
      p.cand.values.forEach((v, j) => {
        const k = key(v);
        if (k > cuts[q]!.T || (k === cuts[q]!.T && ties-- > 0)) got.add(`${q}:${j}`);
      });
      assert.equal([...got].filter((x) => x.startsWith(`${q}:`)).length, cuts[q]!.kept, `${what}: kept count of piece ${q}`);
    });
    assert.deepEqual([...got].sort(), [...want].sort(), `${what}: held cut`);
    // Shipped: radix select and keep rules.
    const cut = topkCut(ps, K);
    const shipped = new Set<string>();
    ps.forEach((p, q) => {
      const split = splitPiece(p, cutRule(cut, q));
      for (const i of split.kept.indices) shipped.add(`${q}:${(i - p.offset) / 2}`);
    });
    assert.deepEqual([...shipped].sort(), [...want].sort(), `${what}: shipped cut`);
    // The K-th key, and "every key at or above it".
    const T = kthLargestKey(ps.map((p) => p.cand.values), K);
    const atLeast = bucketCuts(sel, keys, K, 'atLeast');
    const ge = ps.reduce((a, p) => a + Array.from(p.cand.values, key).filter((k) => k >= T).length, 0);
    assert.equal(atLeast.reduce((a, c) => a + c.kept, 0), ge, `${what}: at-least count`);
  }
});
