/** Value codes: round trips, quantizeValues = decoded values, int8 and ternary arithmetic. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantizeValues, VALUE_CODECS } from '../../ts-api/codec/codes.ts';
import { VALUE_CODE_NAMES } from '../../ts-api/codec/ids.ts';
import { int8Level, int8Scale, roundHalfEven } from '../../ts-api/codec/values_int8.ts';
import { blockedAbsSum, ternaryMagnitude } from '../../ts-api/codec/values_ternary.ts';
import { formatErrorOf, randomValues, rng } from './helpers.ts';

const SEED = Number(process.env.SEED ?? 7);
const bits = (v: Float32Array): number[] => [...new Uint32Array(v.buffer, v.byteOffset, v.length)];

test(`every value code: encode/decode equals quantizeValues bit for bit; size() exact (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let t = 0; t < 100; t++) {
    const k = [0, 1, 7, 8, 9, 100, 1000][t % 7];
    const v = randomValues(r, k);
    if (k > 2) v[1] = -0;
    for (const name of VALUE_CODE_NAMES) {
      const c = VALUE_CODECS[name];
      const param = c.param(v);
      const size = c.size(k);
      const out = new Uint8Array(size + 4).fill(0xee);
      const end = c.encode(v, param, out, 2);
      assert.equal(end - 2, size);
      assert.equal(out[end], 0xee);
      const back = c.decode(out, 2, k, param, false);
      assert.deepEqual(bits(back), bits(quantizeValues(v, name)), `${name}`);
      if (name === 'f32') assert.deepEqual(bits(back), bits(v));
    }
  }
});

test('roundHalfEven: ties to even, never -0', () => {
  const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [-0.5, 0], [-1.5, -2], [-2.5, -2], [126.5, 126], [-126.5, -126], [0.49999997, 0], [2.4, 2], [-2.6, -3]];
  for (const [x, want] of cases) assert.ok(Object.is(roundHalfEven(x), want), `${x} -> ${roundHalfEven(x)}`);
});

test('int8: scale = f32(maxabs/127), levels round half even and clamp, decode = f32(q*scale)', () => {
  const v = Float32Array.from([127, -63.5, 0.5, 1.5, -127, 64.5]);
  const s = int8Scale(v);
  assert.equal(s, 1);
  assert.deepEqual([...v].map((x) => int8Level(x, s)), [127, -64, 0, 2, -127, 64]);
  assert.deepEqual([...quantizeValues(v, 'int8')], [127, -64, 0, 2, -127, 64]);
  assert.deepEqual([...quantizeValues(new Float32Array(3), 'int8')], [0, 0, 0]);
  // a subnormal maxabs whose scale underflows to 0: everything quantises to 0
  const tiny = Float32Array.from([1e-45, -2e-45]);
  assert.equal(int8Scale(tiny), 0);
  assert.deepEqual([...quantizeValues(tiny, 'int8')], [0, 0]);
  // clamping: scale rounded so that maxabs / scale exceeds 127.5 in subnormal range
  const sub = Float32Array.from([190 * 2 ** -149]);
  assert.equal(int8Scale(sub), 2 ** -149);
  assert.equal(int8Level(sub[0], int8Scale(sub)), 127);
  const r = rng(SEED + 1);
  for (let t = 0; t < 200; t++) {
    const x = randomValues(r, 50);
    const sc = int8Scale(x);
    const q = quantizeValues(x, 'int8');
    for (let j = 0; j < x.length; j++) {
      assert.ok(Math.abs(q[j] - x[j]) <= sc / 2 + Math.abs(x[j]) * 2 ** -23, 'error within half a step');
    }
  }
});

test('int8 decode: byte 0x80 is E_VALUE; overflow to Inf is E_NONFINITE_VALUE unless allowed', () => {
  const b = Uint8Array.from([0, 1, 0x80]);
  let e = formatErrorOf(() => VALUE_CODECS.int8.decode(b, 0, 3, 1, false));
  assert.deepEqual([e.code, e.offset], ['E_VALUE', 2]);
  const big = Uint8Array.from([1, 127]);
  e = formatErrorOf(() => VALUE_CODECS.int8.decode(big, 0, 2, 3e38, false));
  assert.deepEqual([e.code, e.offset], ['E_NONFINITE_VALUE', 1]);
  assert.equal(VALUE_CODECS.int8.decode(big, 0, 2, 3e38, true)[1], Infinity);
});

test('ternary: magnitude is the blocked mean of |v|, signs from the sign bit (-0 is negative)', () => {
  const v = Float32Array.from([1, -2, 3, -0, 0.5]);
  assert.equal(ternaryMagnitude(v), Math.fround(6.5 / 5));
  const q = quantizeValues(v, 'ternary');
  const mu = Math.fround(1.3);
  assert.deepEqual([...q], [mu, -mu, mu, -mu, mu]);
  // blocked order differs from naive order; check against an independent blocked sum
  const r = rng(SEED + 2);
  const big = randomValues(r, 200_003);
  let total = 0;
  for (let s = 0; s < big.length; s += 65536) {
    const lanes = [0, 0, 0, 0];
    for (let i = s; i < Math.min(big.length, s + 65536); i++) lanes[i % 4] = Math.fround(lanes[i % 4] + Math.abs(big[i]));
    total = Math.fround(total + Math.fround(Math.fround(lanes[0] + lanes[1]) + Math.fround(lanes[2] + lanes[3])));
  }
  assert.equal(blockedAbsSum(big), total);
  assert.equal(ternaryMagnitude(big), Math.fround(total / big.length));
  assert.equal(ternaryMagnitude(Float32Array.from([3e38, 3e38, 3e38])), 3.4028234663852886e38, 'overflow saturates');
});

test('ternary decode: non-zero pad bits are E_RESERVED at the last byte', () => {
  const e = formatErrorOf(() => VALUE_CODECS.ternary.decode(Uint8Array.from([0, 0xff, 0x02]), 1, 9, 1, false));
  assert.deepEqual([e.code, e.offset], ['E_RESERVED', 2]);
});

test('f16 / bf16 / f32 decode: NaN and Inf patterns are E_NONFINITE_VALUE at the value unless allowed', () => {
  const cases: [(typeof VALUE_CODE_NAMES)[number], number[], number][] = [
    ['f32', [0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x7f], 4],
    ['f32', [0, 0, 0xc0, 0xff], 0],
    ['f16', [0, 0x3c, 0, 0x7c], 2],
    ['f16', [0x01, 0xfe], 0],
    ['bf16', [0x80, 0x3f, 0x80, 0xff], 2],
    ['bf16', [0xc1, 0x7f], 0],
  ];
  for (const [name, bytes, off] of cases) {
    const b = Uint8Array.from(bytes);
    const k = b.length / (name === 'f32' ? 4 : 2);
    const e = formatErrorOf(() => VALUE_CODECS[name].decode(b, 0, k, 0, false));
    assert.deepEqual([e.code, e.offset], ['E_NONFINITE_VALUE', off], name);
    assert.equal(VALUE_CODECS[name].decode(b, 0, k, 0, true).length, k);
  }
});
