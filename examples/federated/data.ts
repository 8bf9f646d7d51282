/**
 * The digits data set and its deterministic federated split: a held-out test set and N client
 * shards, either IID (shuffled, dealt round-robin) or non-IID by label skew (McMahan et al.,
 * "Communication-Efficient Learning of Deep Networks from Decentralized Data", AISTATS 2017, §3:
 * sort by label, cut into 2·N shards, give each client 2 shards).
 *
 * Data: UCI "Optical Recognition of Handwritten Digits" (Alpaydin & Kaynak, 1998), as
 * redistributed with scikit-learn; CC BY 4.0. See data/README.md.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { rng } from './prng.ts';

export { rng };

/** Pixels per image (8×8). */
export const FEATURES = 64;
/** Number of classes (digits 0..9). */
export const CLASSES = 10;

/** A set of examples: row-major features (n × FEATURES, scaled to [0, 1]) and labels. */
export interface Dataset {
  /** Number of examples. */
  n: number;
  /** Features, n × FEATURES, row-major. */
  x: Float32Array;
  /** Labels in 0..CLASSES-1. */
  y: Uint8Array;
}

/** The federated split: a held-out test set and one data set per client. */
export interface FederatedSplit {
  test: Dataset;
  clients: Dataset[];
}

/** Options of {@link splitFederated}. */
export interface SplitOptions {
  /** Number of clients (>= 1). */
  clients: number;
  /** Fraction of all rows held out for testing, in (0, 1). */
  testFraction: number;
  /** Label skew: each client gets 2 label-sorted shards instead of an IID share. */
  nonIid: boolean;
  /** Seed of the shuffle (and of the shard assignment). */
  seed: number;
}

/** The repository's copy of the data (data/digits.csv.gz), resolved from this file's location. */
export const DIGITS_PATH = fileURLToPath(new URL('../../data/digits.csv.gz', import.meta.url));

/** Mixes several integers into one 32-bit seed (for per-round, per-client streams). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

/** Fisher–Yates shuffle of `a` in place with the given random source. */
export function shuffle<T>(a: T[], random: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/**
 * Parses the digits CSV (64 pixel counts 0..16, then the label 0..9 per row); pixels are scaled
 * to [0, 1]. Throws on a malformed row, naming the line.
 */
export function parseDigits(csv: string): Dataset {
  const lines = csv.split('\n').filter((l) => l.trim().length > 0);
  const n = lines.length;
  const x = new Float32Array(n * FEATURES);
  const y = new Uint8Array(n);
  lines.forEach((line, r) => {
    const cols = line.split(',').map(Number);
    if (cols.length !== FEATURES + 1) throw new Error(`digits: line ${r + 1} has ${cols.length} columns, expected ${FEATURES + 1}`);
    for (let i = 0; i < FEATURES; i++) {
      const v = cols[i]!;
      if (!Number.isInteger(v) || v < 0 || v > 16) throw new Error(`digits: line ${r + 1}, column ${i + 1}: bad pixel '${v}'`);
      x[r * FEATURES + i] = v / 16;
    }
    const label = cols[FEATURES]!;
    if (!Number.isInteger(label) || label < 0 || label >= CLASSES) throw new Error(`digits: line ${r + 1}: bad label '${label}'`);
    y[r] = label;
  });
  return { n, x, y };
}

/** Loads data/digits.csv.gz (or `path`), gunzipped in memory. */
export function loadDigits(path: string = DIGITS_PATH): Dataset {
  return parseDigits(gunzipSync(readFileSync(path)).toString('utf8'));
}

/** The rows of `data` at `rows`, in that order, as a new data set. */
export function subset(data: Dataset, rows: readonly number[]): Dataset {
  const x = new Float32Array(rows.length * FEATURES);
  const y = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    x.set(data.x.subarray(r * FEATURES, (r + 1) * FEATURES), i * FEATURES);
    y[i] = data.y[r]!;
  });
  return { n: rows.length, x, y };
}

/**
 * Splits `data` deterministically: a seeded shuffle, the first `testFraction` of it held out, the
 * rest shared among the clients (IID: round-robin; non-IID: 2 label-sorted shards per client).
 */
export function splitFederated(data: Dataset, o: SplitOptions): FederatedSplit {
  if (!Number.isInteger(o.clients) || o.clients < 1) throw new Error(`clients must be a positive integer, got ${o.clients}`);
  if (!(o.testFraction > 0 && o.testFraction < 1)) throw new Error(`testFraction must be in (0, 1), got ${o.testFraction}`);
  const random = rng(mixSeed(o.seed, 0x5e11));
  const order = shuffle(Array.from({ length: data.n }, (_, i) => i), random);
  const nTest = Math.round(data.n * o.testFraction);
  const test = subset(data, order.slice(0, nTest));
  const train = order.slice(nTest);
  if (train.length < 2 * o.clients) throw new Error(`${train.length} training rows are too few for ${o.clients} clients`);
  const shares: number[][] = Array.from({ length: o.clients }, () => []);
  if (!o.nonIid) {
    train.forEach((r, i) => shares[i % o.clients]!.push(r));
  } else {
    // Stable sort by label (ties keep the shuffled order), cut into 2·N near-equal shards.
    const sorted = train.map((r, i) => [r, i] as const).sort((a, b) => data.y[a[0]]! - data.y[b[0]]! || a[1] - b[1]).map((p) => p[0]);
    const nShards = 2 * o.clients;
    const shardIds = shuffle(Array.from({ length: nShards }, (_, i) => i), random);
    shardIds.forEach((s, i) => {
      const from = Math.floor((s * sorted.length) / nShards);
      const to = Math.floor(((s + 1) * sorted.length) / nShards);
      shares[Math.floor(i / 2)]!.push(...sorted.slice(from, to));
    });
  }
  return { test, clients: shares.map((rows) => subset(data, rows)) };
}
