/**
 * mulberry32: a small seeded 32-bit PRNG returning uniform floats in [0, 1). Deterministic for a
 * given seed on every platform (integer arithmetic only). Dependency-free, so the tests share it
 * (tests/codec, tests/cli, tests/interop) without pulling in the demo's data loading.
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
