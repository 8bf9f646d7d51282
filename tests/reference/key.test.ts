/** Tests of the magnitude key and the f32 helpers (docs/selection.md, "Notation"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { f32Add, f32Bits, f32Div, f32Mul, f32Sub, magnitudeKey, magnitudeKeys } from '../../ts-api/reference/index.ts';

describe('magnitudeKey', () => {
  it('is the f32 bit pattern with the sign cleared', () => {
    assert.equal(magnitudeKey(1), 0x3f800000);
    assert.equal(magnitudeKey(-1), 0x3f800000);
    assert.equal(magnitudeKey(2), 0x40000000);
    assert.equal(magnitudeKey(-2.5), 0x40200000);
    assert.equal(magnitudeKey(0.1), 0x3dcccccd); // f32(0.1) = 0x3dcccccd
    assert.equal(magnitudeKey(2 ** -149), 1); // smallest subnormal
    assert.equal(magnitudeKey(-(2 ** -149)), 1);
    assert.equal(magnitudeKey(3.4028234663852886e38), 0x7f7fffff); // largest finite f32
    assert.equal(magnitudeKey(-Infinity), 0x7f800000);
  });

  it('gives +0 and -0 the same key 0', () => {
    assert.equal(magnitudeKey(0), 0);
    assert.equal(magnitudeKey(-0), 0);
    assert.equal(f32Bits(-0), 0x80000000);
    assert.equal(f32Bits(0), 0);
  });

  it('orders like |x| on a sample of finite values', () => {
    const xs = [0, -0, 2 ** -149, -(2 ** -126), 1e-30, -0.5, 1, -1.5, 1e10, -3e38];
    for (const a of xs) {
      for (const b of xs) {
        const fa = Math.abs(Math.fround(a));
        const fb = Math.abs(Math.fround(b));
        assert.equal(Math.sign(magnitudeKey(a) - magnitudeKey(b)), Math.sign(fa - fb), `${a} vs ${b}`);
      }
    }
  });

  it('magnitudeKeys maps every element', () => {
    assert.deepEqual(Array.from(magnitudeKeys(Float32Array.of(-1, 0, 2))), [0x3f800000, 0, 0x40000000]);
  });
});

describe('f32 helpers round once to nearest even', () => {
  it('add', () => {
    assert.equal(f32Add(1, 2 ** -24), 1); // exactly half an ulp above 1: ties to even (1)
    assert.equal(f32Add(1, 3 * 2 ** -25), 1 + 2 ** -23); // above half: rounds up
    assert.equal(f32Add(1 + 2 ** -23, 2 ** -24), 1 + 2 ** -22); // tie to even (up)
    assert.equal(f32Add(2 ** 24, 1), 2 ** 24);
  });

  it('sub gives +0 for x - x, including -0 - -0', () => {
    assert.ok(Object.is(f32Sub(-0, -0), 0));
    assert.ok(Object.is(f32Sub(1.5, 1.5), 0));
    assert.ok(Object.is(f32Sub(-1.5, -1.5), 0));
  });

  it('mul and div', () => {
    assert.equal(f32Mul(3, 1 / 3), 1); // f64 1/3 times 3 is 1 exactly in f64
    assert.equal(f32Div(1, 3), 0.3333333432674408); // 11184811 · 2^-25
    assert.equal(f32Div(10, 3), 3.3333332538604736); // 13981013 · 2^-22
    assert.equal(f32Mul(3, 3.3333332538604736), 10); // 41943039 · 2^-22 rounds up to 10
  });
});
