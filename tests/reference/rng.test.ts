/** Tests of the counter-based RNG against BigInt re-implementations (docs/selection.md, "Counter-based RNG"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../ts-api/errors.ts';
import { fnv1a32, mix, randomWord, streamKeys, uniform } from '../../ts-api/reference/index.ts';
import { asciiBytes, fnvBig, mixBig, streamKeysBig, uniformBig, wordBig } from './independent.ts';

/** A deterministic sequence of u32 test inputs (a BigInt LCG, Knuth's MMIX constants). */
function u32Inputs(count: number): number[] {
  const out = [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x243f6a88, 0xb7e15162];
  let s = 12345n;
  while (out.length < count) {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    out.push(Number(s >> 32n));
  }
  return out;
}

describe('mix (lowbias32)', () => {
  it('maps 0 to 0 (every step of the hash keeps 0)', () => {
    assert.equal(mix(0), 0);
  });

  it('matches a BigInt implementation', () => {
    for (const x of u32Inputs(2000)) assert.equal(mix(x), Number(mixBig(BigInt(x))), `mix(${x})`);
  });

  it('matches hand-traced steps for x = 1', () => {
    // x = 1: x ^= x>>>16 -> 1; x *= 0x7feb352d -> 0x7feb352d; x ^= x>>>15 -> 0x7feb352d ^ 0xffd6
    let x = 0x7feb352d ^ (0x7feb352d >>> 15);
    assert.equal(x, 0x7febcafb);
    x = Number((BigInt(x) * 0x846ca68bn) & 0xffffffffn);
    x = (x ^ (x >>> 16)) >>> 0;
    assert.equal(mix(1), x);
  });

  it('returns a u32', () => {
    for (const x of u32Inputs(200)) {
      const h = mix(x);
      assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff);
    }
  });
});

describe('streamKeys, randomWord, uniform', () => {
  const cases: [number, number, number][] = [
    [0, 0, 0],
    [1, 2, 3],
    [0xffffffff, 0xffffffff, 0xffffffff],
    [42, 7, 0x811c9dc5],
    [123456789, 100000, 0xdeadbeef],
  ];

  it('stream keys match BigInt', () => {
    for (const [seed, step, tid] of cases) {
      const { k0, k1 } = streamKeysBig(seed, step, tid);
      assert.deepEqual(streamKeys(seed, step, tid), { k0: Number(k0), k1: Number(k1) });
    }
  });

  it('random words and uniforms match BigInt; uniforms are exact f32 in [0, 1)', () => {
    for (const [seed, step, tid] of cases) {
      const keys = streamKeys(seed, step, tid);
      for (const i of [0, 1, 2, 3, 1000, 65535, 65536, 0x7fffffff, 0xffffffff]) {
        assert.equal(randomWord(keys, i), wordBig(seed, step, tid, i));
        const u = uniform(keys, i);
        assert.equal(u, uniformBig(seed, step, tid, i));
        assert.ok(u >= 0 && u < 1);
        assert.equal(Math.fround(u), u);
      }
    }
  });

  it('different tensor ids give different streams', () => {
    assert.notDeepEqual(streamKeys(1, 1, 1), streamKeys(1, 1, 2));
    assert.notDeepEqual(streamKeys(1, 1, 1), streamKeys(1, 2, 1));
    assert.notDeepEqual(streamKeys(1, 1, 1), streamKeys(2, 1, 1));
  });

  it('refuses seed, step or tensor id that are not u32', () => {
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => streamKeys(bad, 0, 0), ConfigError);
      assert.throws(() => streamKeys(0, bad, 0), ConfigError);
      assert.throws(() => streamKeys(0, 0, bad), ConfigError);
    }
    assert.throws(() => streamKeys(-1, 0, 0), /seed must be an integer in \[0, 2\^32\)/);
  });
});

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });

  it('matches BigInt on ASCII names', () => {
    for (const name of ['layer1.weight', 'conv.bias', 'x', 'encoder.layers.11.attn.q_proj.weight']) {
      assert.equal(fnv1a32(name), fnvBig(asciiBytes(name)));
    }
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    assert.equal(fnv1a32('é'), fnvBig([0xc3, 0xa9]));
    assert.equal(fnv1a32('w€'), fnvBig([0x77, 0xe2, 0x82, 0xac]));
    assert.equal(fnv1a32('😀'), fnvBig([0xf0, 0x9f, 0x98, 0x80]));
  });
});
