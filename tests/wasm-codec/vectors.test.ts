/**
 * Golden vectors (tests/vectors/) against the Wasm codec, SIMD and scalar builds: every valid frame
 * decodes to its expected content and re-encoding its encoder input reproduces the bytes; every
 * invalid frame fails with the manifest's code and offset.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DecodeLimits } from '../../ts-api/codec/frame.ts';
import { FormatError } from '../../ts-api/errors.ts';
import { crc32cWasm, decodeFrameWasm, encodeFrameWasm } from '../../ts-api/backends/wasm/codec.ts';
import { decodedToJson, masksFromJson, masksToJson, updateFromJson, type ValidVector } from '../vectors/cases.ts';
import { bothBuilds } from './helpers.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { valid: string[]; invalid: string[] };
const bin = (sub: string, name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, sub, `${name}.bin`)));
const json = <T>(sub: string, name: string): T => JSON.parse(readFileSync(join(dir, sub, `${name}.json`), 'utf8')) as T;

for (const { label, core } of await bothBuilds()) {
  test(`wasm codec (${label}): CRC-32C check value`, () => {
    assert.equal(crc32cWasm(core, new TextEncoder().encode('123456789')), 0xe3069283);
    assert.equal(crc32cWasm(core, new Uint8Array(0)), 0);
  });

  test(`wasm codec (${label}): every valid golden vector decodes to its content and re-encodes to its bytes`, () => {
    assert.ok(manifest.valid.length >= 45);
    for (const name of manifest.valid) {
      const bytes = bin('valid', name);
      const v = json<Omit<ValidVector, 'bytes' | 'name'>>('valid', name);
      const store = masksFromJson(v.masks);
      const got = decodedToJson(decodeFrameWasm(core, bytes, {}, { masks: store }));
      if (v.masksAfter !== undefined) assert.deepEqual(masksToJson(store!), v.masksAfter, `${name}: mask store after decoding`);
      // values compared by their f32 bit patterns (valuesF32Hex); the numbers lose -0 in JSON
      const strip = (d: ValidVector['decoded']): unknown => ({ ...d, tensors: d.tensors.map((t) => ({ ...t, values: [] })) });
      assert.deepEqual(strip(got), strip(v.decoded), `${name}: decoded content differs`);
      const again = encodeFrameWasm(core, updateFromJson(v.encode));
      assert.deepEqual(again, bytes, `${name}: re-encoded bytes differ`);
    }
  });

  test(`wasm codec (${label}): every invalid golden vector fails with its code and offset`, () => {
    assert.ok(manifest.invalid.length >= 40);
    for (const name of manifest.invalid) {
      const bytes = bin('invalid', name);
      const v = json<{ code: string; offset: number; limits?: DecodeLimits; masks?: Record<string, number[]> }>('invalid', name);
      let err: unknown;
      try {
        decodeFrameWasm(core, bytes, v.limits, { masks: masksFromJson(v.masks) });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof FormatError, `${name}: expected a FormatError, got ${String(err)}`);
      assert.deepEqual([err.code, err.offset], [v.code, v.offset], `${name}: ${err.message}`);
    }
  });
}
