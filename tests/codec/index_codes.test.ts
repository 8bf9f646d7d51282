/** Index codes: round trips, exact sizes, `auto`, the Rice parameter, and per-code decode errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseIndexCode, INDEX_CODECS, type IndexGeometry } from '../../ts-api/codec/codes.ts';
import { INDEX_CODE_NAMES } from '../../ts-api/codec/ids.ts';
import { riceParameter } from '../../ts-api/codec/index_rice.ts';
import { formatErrorOf, randomIndices, rng } from './helpers.ts';

const SEED = Number(process.env.SEED ?? 20240611);

function roundTrip(name: (typeof INDEX_CODE_NAMES)[number], ix: Uint32Array, g: IndexGeometry): number {
  const c = INDEX_CODECS[name];
  const param = c.param(ix);
  const size = c.size(ix, g, param);
  const out = new Uint8Array(size + 6).fill(0xee);
  const end = c.encode(ix, g, param, out, 3);
  assert.equal(end - 3, size, `${name}: size() = ${size} but encode wrote ${end - 3}`);
  assert.equal(out[end], 0xee, `${name} wrote past its size`);
  const fixed = c.fixedSize(g, ix.length);
  if (fixed >= 0) assert.equal(fixed, size);
  const back = c.decode(out, 3, end, g, ix.length, param);
  assert.deepEqual(back, ix, `${name} round trip`);
  return size;
}

test(`every index code round-trips random sets with size() == bytes written (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let t = 0; t < 150; t++) {
    const rows = 1 + Math.floor(r() * 60);
    const cols = 1 + Math.floor(r() * 60);
    const n = rows * cols;
    const density = [0, 0.001, 0.01, 0.1, 0.5, 0.9, 1][t % 7];
    const k = Math.min(n, Math.round(density * n));
    const ix = randomIndices(r, n, k);
    const g = { n, shape: [rows, cols] };
    for (const name of INDEX_CODE_NAMES) roundTrip(name, ix, g);
  }
});

test('edge cases: n = 0, k = 0, k = n, one index, indices near 2^32 - 1', () => {
  const cases: [number, number[], number[] | undefined][] = [
    [0, [], [0, 5]],
    [7, [], [7, 1]],
    [9, [0, 1, 2, 3, 4, 5, 6, 7, 8], [3, 3]],
    [1, [0], [1, 1]],
    [40, [39], [5, 8]],
  ];
  for (const [n, ix, shape] of cases) for (const name of INDEX_CODE_NAMES) roundTrip(name, Uint32Array.from(ix), { n, shape });
  const big = Uint32Array.from([0, 1, 2 ** 31, 2 ** 32 - 3, 2 ** 32 - 2]);
  for (const name of ['coo', 'rle', 'varint', 'rice'] as const) roundTrip(name, big, { n: 2 ** 32 - 1, shape: undefined });
  assert.equal(riceParameter(Uint32Array.from([2 ** 32 - 2])), 31);
});

test('auto picks the smallest exact size (ties: lowest code id)', () => {
  const r = rng(SEED + 1);
  for (let t = 0; t < 200; t++) {
    const n = 1 + Math.floor(r() * 3000);
    const k = Math.floor(r() ** 3 * n);
    const ix = randomIndices(r, n, k);
    const shape = t % 2 ? [n, 1] : undefined;
    const g = { n, shape };
    const choice = chooseIndexCode(ix, g, 'auto');
    let best = Infinity;
    let bestName = '';
    for (const name of INDEX_CODE_NAMES) {
      const c = INDEX_CODECS[name];
      if (!c.applicable(g)) continue;
      const total = c.size(ix, g, c.param(ix)) + c.paramBytes;
      if (total < best) [best, bestName] = [total, name];
    }
    assert.equal(choice.code, bestName);
    assert.equal(choice.payloadBytes + INDEX_CODECS[choice.code].paramBytes, best);
  }
  assert.equal(chooseIndexCode(new Uint32Array(0), { n: 100, shape: undefined }, 'auto').code, 'coo', 'k = 0: all-zero sizes tie, coo first');
  assert.equal(chooseIndexCode(Uint32Array.from({ length: 64 }, (_, i) => i), { n: 64, shape: undefined }, 'auto').code, 'rle');
});

test('rice parameter: floor(log2(S / k)) in integers, clamped to [0, 31]', () => {
  // S = i_last + 1 - k; b = largest b with k * 2^b <= S.
  assert.equal(riceParameter(new Uint32Array(0)), 0);
  assert.equal(riceParameter(Uint32Array.from([0, 1, 2])), 0); // S = 0
  assert.equal(riceParameter(Uint32Array.from([3])), 1); // S = 3, k = 1
  assert.equal(riceParameter(Uint32Array.from([4])), 2); // S = 4
  assert.equal(riceParameter(Uint32Array.from([9, 19])), 3); // S = 18, 18/2 = 9
  assert.equal(riceParameter(Uint32Array.from([10, 20])), 3); // S = 19
  assert.equal(riceParameter(Uint32Array.from([16, 33])), 4); // S = 32, 32/2 = 16
});

const dec = (name: (typeof INDEX_CODE_NAMES)[number], bytes: number[], n: number, k: number, param = 0, shape?: number[]) => {
  const b = Uint8Array.from([0xaa, 0xaa, ...bytes]);
  return formatErrorOf(() => INDEX_CODECS[name].decode(b, 2, b.length, { n, shape }, k, param));
};
const expectErr = (e: { code: string; offset: number }, code: string, offset: number): void => {
  assert.deepEqual([e.code, e.offset], [code, offset]);
};

test('coo/csr decode errors carry the documented code and offset', () => {
  expectErr(dec('coo', [5, 0, 0, 0, 10, 0, 0, 0], 10, 2), 'E_INDEX_RANGE', 6);
  expectErr(dec('coo', [5, 0, 0, 0, 5, 0, 0, 0], 10, 2), 'E_INDEX_ORDER', 6);
  expectErr(dec('coo', [5, 0, 0, 0, 4, 0, 0, 0], 10, 2), 'E_INDEX_ORDER', 6);
  // csr 2x3: ptr [0,1,2], cols
  expectErr(dec('csr', [1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 6, 2, 0, [2, 3]), 'E_INDEX_ORDER', 2);
  expectErr(dec('csr', [0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 6, 2, 0, [2, 3]), 'E_INDEX_ORDER', 10);
  expectErr(dec('csr', [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 6, 2, 0, [2, 3]), 'E_COUNT', 10);
  expectErr(dec('csr', [0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], 6, 2, 0, [2, 3]), 'E_INDEX_ORDER', 18);
  expectErr(dec('csr', [0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0], 6, 2, 0, [2, 3]), 'E_INDEX_RANGE', 18);
});

test('bitmap/varint/rle/rice decode errors carry the documented code and offset', () => {
  expectErr(dec('bitmap', [0x00, 0x04], 10, 1), 'E_INDEX_RANGE', 3);
  expectErr(dec('bitmap', [0x03, 0x00], 10, 1), 'E_COUNT', 2);
  expectErr(dec('bitmap', [0x01, 0x00], 10, 2), 'E_COUNT', 4);
  expectErr(dec('varint', [0x05, 0x80, 0x00], 100, 2), 'E_VARINT', 3);
  expectErr(dec('varint', [0x05, 0x80], 100, 2), 'E_COUNT', 4);
  expectErr(dec('varint', [0x05], 100, 2), 'E_COUNT', 3);
  expectErr(dec('varint', [0x05, 0x5e], 100, 2), 'E_INDEX_RANGE', 3); // 5 + 1 + 94 = 100
  expectErr(dec('varint', [0x05, 0x01, 0x00], 100, 2), 'E_COUNT', 4);
  // rle: (z=2, o=1) -> [2,3]; (z=0 -> gap 1, o=0) -> [5]
  expectErr(dec('rle', [2, 1, 0, 0], 10, 2), 'E_COUNT', 4);
  expectErr(dec('rle', [2, 1, 0, 0], 5, 3), 'E_INDEX_RANGE', 4);
  expectErr(dec('rle', [2, 1, 0], 10, 3), 'E_COUNT', 5);
  expectErr(dec('rle', [2, 1, 0, 0, 7], 10, 3), 'E_COUNT', 6);
  expectErr(dec('rle', [2, 0x80], 10, 3), 'E_COUNT', 4);
  // rice b=2: gap 5 = q 1, r 1 -> bits 0,1 then 1,0 -> 0b0110 = 0x06
  expectErr(dec('rice', [0x06], 5, 1, 2), 'E_INDEX_RANGE', 2);
  expectErr(dec('rice', [0x06], 10, 2, 2), 'E_COUNT', 3);
  expectErr(dec('rice', [0x16], 10, 1, 2), 'E_RESERVED', 2);
  expectErr(dec('rice', [0x06, 0x00], 10, 1, 2), 'E_COUNT', 3);
  expectErr(dec('rice', [0x00, 0x00], 10, 1, 0), 'E_COUNT', 4);
});
