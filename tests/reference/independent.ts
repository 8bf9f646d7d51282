/**
 * Independent re-implementations used by the reference tests: written differently from
 * ts-api/reference (BigInt integer arithmetic, per-lane strided loops, selection by repeated
 * maximum instead of sorting) so that a shared mistake is unlikely. Test-only.
 */

import assert from 'node:assert/strict';
import type { Selection } from '../../ts-api/types.ts';

const M32 = 0xffffffffn;

/** lowbias32 in BigInt arithmetic. */
export function mixBig(x: bigint): bigint {
  let h = x & M32;
  h ^= h >> 16n;
  h = (h * 0x7feb352dn) & M32;
  h ^= h >> 15n;
  h = (h * 0x846ca68bn) & M32;
  h ^= h >> 16n;
  return h;
}

/** Stream keys in BigInt arithmetic. */
export function streamKeysBig(seed: number, step: number, tensorId: number): { k0: bigint; k1: bigint } {
  let h = mixBig(BigInt(seed) ^ 0x243f6a88n);
  h = mixBig(h ^ BigInt(step));
  h = mixBig(h ^ BigInt(tensorId));
  return { k0: h, k1: mixBig(h ^ 0xb7e15162n) };
}

/** The random word of element i, as a number. */
export function wordBig(seed: number, step: number, tensorId: number, i: number): number {
  const { k0, k1 } = streamKeysBig(seed, step, tensorId);
  return Number(mixBig(mixBig(BigInt(i) ^ k0) ^ k1));
}

/** The uniform of element i: (word >>> 8) / 2^24. */
export function uniformBig(seed: number, step: number, tensorId: number, i: number): number {
  return Math.floor(wordBig(seed, step, tensorId, i) / 256) / 16777216;
}

/** FNV-1a 32 of given bytes, in BigInt arithmetic. */
export function fnvBig(bytes: readonly number[]): number {
  let h = 0x811c9dc5n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x01000193n) & M32;
  return Number(h);
}

/** ASCII bytes of a string (tests only use ASCII names with this helper). */
export function asciiBytes(s: string): number[] {
  return Array.from(s, (ch) => ch.charCodeAt(0));
}

/** The blocked sum written lane by lane: each lane is a strided loop over its own elements. */
export function blockedSumByLanes(values: Float32Array): number {
  let total = 0;
  for (let start = 0; start < values.length; start += 65536) {
    const end = Math.min(values.length, start + 65536);
    const lane: number[] = [];
    for (let l = 0; l < 4; l++) {
      let s = 0;
      for (let i = start + l; i < end; i += 4) s = Math.fround(s + values[i]);
      lane.push(s);
    }
    total = Math.fround(total + Math.fround(Math.fround(lane[0] + lane[1]) + Math.fround(lane[2] + lane[3])));
  }
  return total;
}

/**
 * The first k positions by (key desc, position asc), found by k rounds of "take the best remaining"
 * (no sorting), returned ascending.
 */
export function firstKByRepeatedMax(keys: readonly number[], k: number): number[] {
  const taken = new Set<number>();
  for (let round = 0; round < k; round++) {
    let best = -1;
    for (let i = 0; i < keys.length; i++) {
      if (taken.has(i)) continue;
      if (best < 0 || keys[i] > keys[best]) best = i; // strict >: the earlier wins ties
    }
    taken.add(best);
  }
  return [...taken].sort((a, b) => a - b);
}

/** |x| of an f32 as a comparable number (for finite x this orders exactly like the key). */
export function absKeys(values: Float32Array | readonly number[]): number[] {
  return Array.from(values, (v) => Math.abs(v));
}

/** Shows -0 distinctly so that assertions compare signs of zero. */
export function show(values: ArrayLike<number>): (number | string)[] {
  return Array.from(values, (v) => (Object.is(v, -0) ? '-0' : v));
}

/** Asserts a selection's indices and (bit-exact, sign of zero included) values. */
export function assertSelection(
  actual: Selection,
  indices: readonly number[],
  values: readonly number[],
  message = 'selection',
): void {
  assert.ok(actual.indices instanceof Uint32Array, 'indices must be a Uint32Array');
  assert.ok(actual.values instanceof Float32Array, 'values must be a Float32Array');
  assert.deepEqual(Array.from(actual.indices), [...indices], message);
  assert.deepEqual(show(actual.values), show(values.map((v) => Math.fround(v))), message);
}

/** A Float32Array from numbers (each rounded to f32). */
export function f32a(...values: number[]): Float32Array {
  return Float32Array.from(values);
}
