/**
 * Seeded benchmark inputs. Every generator is deterministic in its seed and logs the seed it used,
 * so any run can be reproduced exactly.
 */

/** A seeded source of uniform numbers in the open interval (0, 1). */
export interface Prng {
  /** Next uniform in (0, 1), never exactly 0 or 1 (32 random bits). */
  next(): number;
  /** Next raw 32-bit word (unsigned). */
  nextU32(): number;
}

/** SplitMix32-style scrambler used to expand a seed into generator state. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, from PractRand), 128-bit state, seeded
 * from a 32-bit seed through SplitMix32 and 12 discarded outputs.
 */
export function createPrng(seed: number): Prng {
  let a = splitmix32(seed);
  let b = splitmix32(a ^ 0x6a09e667);
  let c = splitmix32(b ^ 0xbb67ae85);
  let d = 1;
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextU32();
  return { nextU32, next: () => (nextU32() + 0.5) / 4294967296 };
}

/** Kinds of synthetic gradient the benchmarks use. */
export type DataKind = 'normal' | 'heavy';

/** Largest magnitude a heavy-tailed sample may take (it is clipped there, so it stays finite). */
export const HEAVY_CLIP = 1e6;

/** Standard normal samples (Box–Muller on the seeded sfc32 stream), as float32. */
export function normalF32(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const rng = createPrng(seed);
  const twoPi = 2 * Math.PI;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const rad = Math.sqrt(-2 * Math.log(rng.next()));
    const th = twoPi * rng.next();
    out[i] = rad * Math.cos(th);
    out[i + 1] = rad * Math.sin(th);
  }
  if (i < n) out[i] = Math.sqrt(-2 * Math.log(rng.next())) * Math.cos(twoPi * rng.next());
  return out;
}

/**
 * Heavy-tailed samples: Student's t with 2 degrees of freedom by its exact inverse CDF,
 * `t = (2p − 1) / sqrt(2p(1 − p))`, clipped to ±{@link HEAVY_CLIP} (finite by construction; with
 * 32-bit uniforms |t| < 65536 anyway). Infinite variance, like the outlier-heavy gradients of
 * large models.
 */
export function heavyTailedF32(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const rng = createPrng(seed);
  for (let i = 0; i < n; i++) {
    const p = rng.next();
    const t = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
    out[i] = t > HEAVY_CLIP ? HEAVY_CLIP : t < -HEAVY_CLIP ? -HEAVY_CLIP : t;
  }
  return out;
}

/** A generated input with the seed that reproduces it. */
export interface Dataset {
  kind: DataKind;
  n: number;
  seed: number;
  data: Float32Array;
}

/** Seed used for (kind, n) given the run's base seed: distinct per case, stable across runs. */
export function datasetSeed(baseSeed: number, kind: DataKind, n: number): number {
  return splitmix32((baseSeed ^ Math.imul(n, 0x9e3779b1) ^ (kind === 'normal' ? 0x1234567 : 0x7654321)) >>> 0);
}

/**
 * Generate `n` float32 samples of `kind` from the run's `baseSeed`, printing the seed used.
 * @param log where to print the seed line (default console.log; pass a no-op to silence).
 */
export function makeDataset(
  kind: DataKind,
  n: number,
  baseSeed: number,
  log: (line: string) => void = console.log,
): Dataset {
  const seed = datasetSeed(baseSeed, kind, n);
  const t0 = performance.now();
  const data = kind === 'normal' ? normalF32(n, seed) : heavyTailedF32(n, seed);
  log(`data: ${kind} n=${n} seed=${seed} (base seed ${baseSeed}) generated in ${(performance.now() - t0).toFixed(0)} ms`);
  return { kind, n, seed, data };
}
