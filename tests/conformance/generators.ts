/** Seeded adversarial tensor generators for property tests (fast-check arbitraries). */
import fc from 'fast-check';

/** The lengths the suite must cover: 0, 1, 3, 4, 5, 4m+3 and a few larger ones. */
export const lengthArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17),
  fc.integer({ min: 1, max: 2000 }).map((m) => 4 * m + 3),
  fc.integer({ min: 0, max: 70000 }),
);

const f32 = (x: number): number => Math.fround(x);

/** Value patterns: normal-ish, all equal, ±0, subnormals, huge and tiny, few distinct values. */
export type Pattern = 'random' | 'equal' | 'zeros' | 'subnormal' | 'extreme' | 'fewValues' | 'sparse';
export const patternArb: fc.Arbitrary<Pattern> = fc.constantFrom(
  'random', 'equal', 'zeros', 'subnormal', 'extreme', 'fewValues', 'sparse',
);

/** xorshift32 uniforms in [0, 1) from a seed (0 is replaced by 1, xorshift's fixed point). */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

/** A deterministic tensor of length n for a pattern and seed (values finite). */
export function makeTensor(n: number, pattern: Pattern, seed: number): Float32Array {
  const next = xorshift32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = next();
    switch (pattern) {
      case 'random': out[i] = f32((u - 0.5) * 4 * (next() < 0.05 ? 20 : 1)); break;
      case 'equal': out[i] = i % 2 ? 0.5 : -0.5; break;
      case 'zeros': out[i] = u < 0.5 ? 0 : -0; break;
      case 'subnormal': out[i] = (u - 0.5) * 2 ** -130; break;
      case 'extreme': out[i] = (u < 0.5 ? -1 : 1) * (next() < 0.5 ? 1e30 * next() : 1e-30 * next()); break;
      case 'fewValues': out[i] = [0, 1, -1, 2, -2][Math.floor(u * 5)]!; break;
      case 'sparse': out[i] = u < 0.02 ? f32(next() - 0.5) : 0; break;
    }
  }
  return out;
}

/** k choices: 0, 1, n and a random one. */
export function kArb(n: number): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(0, Math.min(1, n), n), fc.integer({ min: 0, max: n }));
}

/** The fast-check run parameters: a fixed seed (override with SPARSEGRAD_SEED), printed once. */
export function runParams(numRuns: number): fc.Parameters<unknown> {
  const seed = Number(process.env.SPARSEGRAD_SEED ?? 20261123);
  return { seed, numRuns, endOnFailure: true };
}
