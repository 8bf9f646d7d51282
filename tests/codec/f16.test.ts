/**
 * f16/bf16 conversions against an independent reference: values from the IEEE 754-2008 binary16
 * definition in f64 arithmetic, rounding by nearest-neighbour search with ties to the even pattern.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToBf16BitsSat, f32ToF16Bits, f32ToF16BitsSat,
} from '../../ts-api/codec/f16.ts';
import { rng } from './helpers.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number): number => {
  u32[0] = b >>> 0;
  return f32[0];
};
const bitsOf = (x: number): number => {
  f32[0] = x;
  return u32[0];
};

/** Reference binary16 value from the definition (sign, 5-bit exponent bias 15, 10-bit fraction). */
function refF16Value(h: number): number {
  const s = h >> 15 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  if (e === 0) return s * Math.pow(2, -14) * (m / 1024);
  return s * Math.pow(2, e - 15) * (1 + m / 1024);
}

/** Positive finite f16 values in pattern order (0x0000 … 0x7BFF), increasing. */
const POS: number[] = Array.from({ length: 0x7c00 }, (_, h) => refF16Value(h));

/** Reference RNE f32 → f16 (IEEE: overflow → Inf) by nearest-neighbour search. */
function refToF16(x: number): number {
  if (Number.isNaN(x)) return -1;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  let lo = 0;
  let hi = POS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (POS[mid] <= a) lo = mid;
    else hi = mid - 1;
  }
  const below = lo;
  const aboveVal = below + 1 < POS.length ? POS[below + 1] : 65536; // 65536: the unbounded-exponent next value
  const dBelow = a - POS[below];
  const dAbove = aboveVal - a;
  let h: number;
  if (dBelow < dAbove) h = below;
  else if (dAbove < dBelow) h = below + 1;
  else h = below % 2 === 0 ? below : below + 1;
  return sign | Math.min(h, 0x7c00);
}

/** Reference RNE f32 → bf16 by comparing the two neighbouring bf16 values in f64. */
function refToBf16(x: number): number {
  const b = bitsOf(x);
  const t = b >>> 16;
  const down = fromBits(t << 16);
  const up = fromBits(((t + 1) & 0xffff) << 16);
  const a = Math.abs(x);
  const dd = a - Math.abs(down);
  const du = (t & 0x7fff) === 0x7f7f ? 2 ** 128 - a : Math.abs(up) - a; // past max finite: next is 2^128 (Inf)
  if (dd < du) return t;
  if (du < dd) return (t + 1) & 0xffff;
  return t % 2 === 0 ? t : (t + 1) & 0xffff;
}

test('f16 → f32: all 65536 patterns equal the IEEE binary16 definition', () => {
  for (let h = 0; h < 65536; h++) {
    const got = f16BitsToF32(h);
    const want = refF16Value(h);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `0x${h.toString(16)}`);
    else assert.ok(Object.is(got, want) && Math.fround(got) === got, `0x${h.toString(16)}: ${got} != ${want}`);
  }
});

test('f32 → f16: every finite f16 value round-trips to its own pattern; NaN stays NaN', () => {
  for (let h = 0; h < 65536; h++) {
    const v = f16BitsToF32(h);
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) {
      const q = f32ToF16Bits(v);
      assert.ok((q & 0x7c00) === 0x7c00 && (q & 0x3ff) !== 0);
      continue;
    }
    assert.equal(f32ToF16Bits(v), h, `pattern 0x${h.toString(16)}`);
  }
});

test('f32 → f16: RNE at every midpoint and its f32 neighbours, plus a strided sweep of all f32 patterns', () => {
  let checked = 0;
  const check = (x: number): void => {
    const want = refToF16(x);
    if (want < 0) return;
    const got = f32ToF16Bits(x);
    assert.equal(got, want, `x = ${x} (0x${bitsOf(x).toString(16)}): got 0x${got.toString(16)} want 0x${want.toString(16)}`);
    const sat = f32ToF16BitsSat(x);
    const wantSat = (want & 0x7fff) === 0x7c00 && Number.isFinite(x) ? (want & 0x8000) | 0x7bff : want;
    assert.equal(sat, wantSat);
    checked++;
  };
  for (let h = 0; h < 0x7c00; h++) {
    const next = h + 1 < 0x7c00 ? POS[h + 1] : 65536;
    const mid = Math.fround((POS[h] + next) / 2); // exact: midpoints of f16 values are f32 values
    assert.equal(mid, (POS[h] + next) / 2);
    const mb = bitsOf(mid);
    for (const x of [mid, fromBits(mb - 1), fromBits(mb + 1), POS[h]]) {
      check(x);
      check(-x);
    }
  }
  for (let b = 0; b < 2 ** 32; b += 4093) check(fromBits(b));
  for (const x of [65504, 65519.99, 65520, 65536, 1e10, 3.4028234663852886e38, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -26, 1e-45, 0, -0]) check(x);
  assert.ok(checked > 1_000_000, `checked ${checked}`);
});

test('f16 saturation: finite overflow gives ±65504, infinities stay infinite', () => {
  assert.equal(f32ToF16Bits(65520), 0x7c00);
  assert.equal(f32ToF16BitsSat(65520), 0x7bff);
  assert.equal(f32ToF16BitsSat(-1e30), 0xfbff);
  assert.equal(f32ToF16BitsSat(65519.996), 0x7bff);
  assert.equal(f32ToF16BitsSat(Infinity), 0x7c00);
  assert.equal(f32ToF16Bits(2 ** -25), 0x0000, 'tie at half the smallest subnormal goes to even (0)');
  assert.equal(f32ToF16Bits(3 * 2 ** -25), 0x0002, 'tie between subnormals 1 and 2 goes to even (2)');
  assert.equal(f32ToF16Bits(-(2 ** -24)), 0x8001);
});

test('f32 → bf16: RNE against the reference on a strided sweep and edge cases; bf16 → f32 is exact', () => {
  const r = rng(3);
  const check = (x: number): void => {
    if (Number.isNaN(x)) {
      assert.equal(f32ToBf16Bits(x) & 0x7fc0, 0x7fc0);
      return;
    }
    const want = refToBf16(x);
    assert.equal(f32ToBf16Bits(x), want, `x = ${x} (0x${bitsOf(x).toString(16)})`);
    const sat = (want & 0x7fff) === 0x7f80 && Number.isFinite(x) ? (want & 0x8000) | 0x7f7f : want;
    assert.equal(f32ToBf16BitsSat(x), sat);
  };
  for (let b = 0; b < 2 ** 32; b += 4099) check(fromBits(b));
  for (let t = 0; t < 100000; t++) {
    const hi = Math.floor(r() * 65536);
    for (const lo of [0x8000, 0x7fff, 0x8001, 0]) check(fromBits(hi * 65536 + lo));
  }
  for (let h = 0; h < 65536; h++) {
    const v = bf16BitsToF32(h);
    // NaN payloads may be quieted when a NaN passes through a JS number, so compare NaN-ness only
    if ((h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0) assert.ok(Number.isNaN(v));
    else assert.equal(bitsOf(v), (h << 16) >>> 0);
  }
  assert.equal(f32ToBf16BitsSat(3.4028234663852886e38), 0x7f7f);
  assert.equal(f32ToBf16Bits(3.4028234663852886e38), 0x7f80);
});
