/** Every validation rule of docs/wire-format.md: a crafted frame per rule, asserting code and offset. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '../../ts-api/codec/frame.ts';
import { formatErrorOf, rawFrame } from './helpers.ts';
import { base, invalidCases } from './invalid_cases.ts';

test('the base frame of the invalid cases is itself valid', () => {
  const f = decodeFrame(rawFrame([base()]));
  assert.deepEqual([...f.tensors[0].indices], [3, 7]);
  assert.deepEqual([...f.tensors[0].values], [1, -2]);
  assert.equal(f.totalBytes, 65);
});

for (const c of invalidCases()) {
  test(`invalid frame '${c.name}' → ${c.code} at byte ${c.offset}`, () => {
    const e = formatErrorOf(() => decodeFrame(c.bytes, c.limits));
    assert.deepEqual([e.code, e.offset], [c.code, c.offset], e.message);
  });
}

test('every documented error code is exercised', () => {
  const codes = new Set(invalidCases().map((c) => c.code));
  for (const code of ['E_LIMIT', 'E_TRUNCATED', 'E_MAGIC', 'E_VERSION', 'E_LENGTH', 'E_TRAILING', 'E_CHECKSUM', 'E_RESERVED', 'E_COUNT', 'E_NAME', 'E_CODE', 'E_SHAPE', 'E_PARAM', 'E_INDEX_RANGE', 'E_INDEX_ORDER', 'E_VARINT', 'E_VALUE', 'E_NONFINITE_VALUE']) {
    assert.ok(codes.has(code), code);
  }
});

test('allowNonFinite accepts non-finite values (and only relaxes that rule)', () => {
  const nan = invalidCases().find((c) => c.name === 'f32_nan');
  assert.ok(nan);
  const f = decodeFrame(nan.bytes, { allowNonFinite: true });
  assert.ok(Number.isNaN(f.tensors[0].values[1]));
  const param = invalidCases().find((c) => c.name === 'ternary_magnitude_nan');
  assert.ok(param);
  assert.throws(() => decodeFrame(param.bytes, { allowNonFinite: true }), { code: 'E_PARAM' });
});
