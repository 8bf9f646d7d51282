/**
 * Golden vectors (tests/vectors/): each valid frame decodes to its expected content and re-encoding
 * the expected encoder input reproduces its bytes exactly; each invalid frame fails with its code
 * and offset; and the generator's current output equals the files (no silent drift).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeFrame } from '../../ts-api/codec/frame.ts';
import { decodeFrame } from '../../ts-api/codec/frame_decode.ts';
import type { DecodeLimits } from '../../ts-api/codec/frame.ts';
import { buildVectors, decodedToJson, masksFromJson, masksToJson, updateFromJson, type ValidVector } from '../vectors/cases.ts';
import { formatErrorOf } from './helpers.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { valid: string[]; invalid: string[] };
const bin = (sub: string, name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, sub, `${name}.bin`)));
const json = <T>(sub: string, name: string): T => JSON.parse(readFileSync(join(dir, sub, `${name}.json`), 'utf8')) as T;

test('the manifest lists every index code × value code pair and the edge cases', () => {
  assert.ok(manifest.valid.length >= 30 + 15, `${manifest.valid.length} valid vectors`);
  assert.ok(manifest.invalid.length >= 40, `${manifest.invalid.length} invalid vectors`);
});

for (const name of manifest.valid) {
  test(`golden valid '${name}': decodes to the expected content; re-encoding gives the same bytes`, () => {
    const bytes = bin('valid', name);
    const v = json<Omit<ValidVector, 'bytes' | 'name'>>('valid', name);
    const store = masksFromJson(v.masks);
    const got = decodedToJson(decodeFrame(bytes, {}, { masks: store }));
    if (v.masksAfter !== undefined) assert.deepEqual(masksToJson(store!), v.masksAfter, 'mask store after decoding');
    // values are compared by their f32 bit patterns (the numbers are informative: JSON loses -0)
    assert.deepEqual({ ...got, tensors: got.tensors.map((t) => ({ ...t, values: [] })) },
      { ...v.decoded, tensors: v.decoded.tensors.map((t) => ({ ...t, values: [] })) });
    const again = encodeFrame(updateFromJson(v.encode));
    assert.deepEqual(again, bytes, 're-encoded bytes differ');
  });
}

for (const name of manifest.invalid) {
  test(`golden invalid '${name}': fails with the expected code and offset`, () => {
    const bytes = bin('invalid', name);
    const v = json<{ code: string; offset: number; limits?: DecodeLimits; masks?: Record<string, number[]> }>('invalid', name);
    const store = masksFromJson(v.masks) ?? new Map<string, Uint32Array>();
    const e = formatErrorOf(() => decodeFrame(bytes, v.limits, { masks: store }));
    assert.deepEqual([e.code, e.offset], [v.code, v.offset], e.message);
    assert.deepEqual(masksToJson(store), v.masks ?? {}, 'a failed frame leaves the mask store unchanged');
  });
}

test('the generator reproduces the golden files byte for byte', () => {
  const { valid, invalid } = buildVectors();
  assert.deepEqual(valid.map((v) => v.name), manifest.valid);
  assert.deepEqual(invalid.map((v) => v.name), manifest.invalid);
  for (const v of valid) assert.deepEqual(v.bytes, bin('valid', v.name), v.name);
  for (const v of invalid) assert.deepEqual(v.bytes, bin('invalid', v.name), v.name);
});
