/**
 * The counter-based RNG: every random choice is a pure function of (seed, step, tensor id, element
 * index), so chunked, parallel and GPU paths draw the same values (counter-based generation in the
 * sense of Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
 *
 * Normative source: docs/selection.md, "Counter-based RNG". All values are u32 (`>>> 0`), all
 * multiplications are `Math.imul`.
 */

import { ConfigError } from '../errors.ts';

/** The two per-stream keys derived from `(seed, step, tensorId)`. */
export interface StreamKeys {
  /** First key, `h`. */
  readonly k0: number;
  /** Second key, `mix(h ^ 0xb7e15162)`. */
  readonly k1: number;
}

/** What identifies one random stream: all three are u32 integers. */
export interface RngContext {
  /** User seed (u32). */
  readonly seed: number;
  /** Step counter (u32). */
  readonly step: number;
  /** Tensor id, normally {@link fnv1a32} of the tensor name (u32). */
  readonly tensorId: number;
}

/**
 * Throws a {@link ConfigError} unless `x` is an integer in `[0, 2^32)` (seed, step and tensor id
 * are u32 in docs/selection.md, "Counter-based RNG"). `what` names the value in the message.
 */
export function validateU32(x: number, what: string): void {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffffffff) {
    throw new ConfigError(`${what} must be an integer in [0, 2^32), got ${String(x)}`);
  }
}

/**
 * The "lowbias32" 32-bit integer hash (C. Wellons, "Prospecting for hash functions", 2018;
 * docs/selection.md, "Counter-based RNG"):
 * `x ^= x>>>16; x *= 0x7feb352d; x ^= x>>>15; x *= 0x846ca68b; x ^= x>>>16` on u32.
 * The argument is reduced to u32 first; the result is a u32 in `[0, 2^32)`.
 */
export function mix(x: number): number {
  let h = x >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h;
}

/**
 * Stream keys from `(seed, step, tensorId)` (docs/selection.md, "Counter-based RNG"):
 * `h = mix(mix(mix(seed ^ 0x243f6a88) ^ step) ^ tensorId)`, `k0 = h`, `k1 = mix(h ^ 0xb7e15162)`.
 *
 * @throws ConfigError unless all three are integers in `[0, 2^32)`.
 */
export function streamKeys(seed: number, step: number, tensorId: number): StreamKeys {
  validateU32(seed, 'seed');
  validateU32(step, 'step');
  validateU32(tensorId, 'tensorId');
  let h = mix((seed ^ 0x243f6a88) >>> 0);
  h = mix((h ^ step) >>> 0);
  h = mix((h ^ tensorId) >>> 0);
  return { k0: h, k1: mix((h ^ 0xb7e15162) >>> 0) };
}

/** {@link streamKeys} of an {@link RngContext}. */
export function streamKeysOf(ctx: RngContext): StreamKeys {
  return streamKeys(ctx.seed, ctx.step, ctx.tensorId);
}

/**
 * The random word of element `i`: `mix(mix(i ^ k0) ^ k1)`, a u32 (docs/selection.md,
 * "Counter-based RNG"). `i` must be an integer in `[0, 2^32)`.
 */
export function randomWord(keys: StreamKeys, i: number): number {
  return mix((mix((i ^ keys.k0) >>> 0) ^ keys.k1) >>> 0);
}

/**
 * A uniform in `[0, 1)`: `(randomWord(keys, i) >>> 8) · 2^-24`, exact in f32 (docs/selection.md,
 * "Counter-based RNG").
 */
export function uniform(keys: StreamKeys, i: number): number {
  return (randomWord(keys, i) >>> 8) * 2 ** -24;
}

/**
 * The FNV-1a 32-bit hash of the UTF-8 bytes of `name` (offset basis 0x811c9dc5, prime 0x01000193;
 * Fowler, Noll and Vo, IETF draft-eastlake-fnv): the tensor id used by the RNG
 * (docs/selection.md, "Counter-based RNG").
 */
export function fnv1a32(name: string): number {
  const bytes = new TextEncoder().encode(name);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul((h ^ b) >>> 0, 0x01000193) >>> 0;
  return h;
}
