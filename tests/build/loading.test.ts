/**
 * Loading: the bundle dist/sparsegrad.mjs (built by npm test's build step) carries the Wasm bytes
 * and gives the same results as the source; an engine without Wasm SIMD gets the scalar build
 * automatically, and asking for SIMD there is a clear error; the build hash covers all three builds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  buildHash, loadCore, createCompressor, SparsegradError, sharedWasmBytes, simdSupported, wasmBytesForTest,
} from './loading_helpers.ts';

test('the bundle runs and matches the source API bit for bit', async () => {
  const bundle = join(process.cwd(), 'dist/sparsegrad.mjs');
  assert.ok(existsSync(bundle), 'dist/sparsegrad.mjs is missing: run `npm run build` (npm test does)');
  const lib = (await import(pathToFileURL(bundle).href)) as typeof import('../../ts-api/index.ts');
  const g = new Float32Array(10000).map((_, i) => Math.sin(i * 1.7) * (1 + (i % 13)));
  const a = await lib.createCompressor({ method: 'topk', density: 0.01, values: 'f16' });
  const b = await createCompressor({ method: 'topk', density: 0.01, values: 'f16' });
  for (let st = 0; st < 3; st++) assert.deepEqual(a.encode(a.step({ w: g })), b.encode(b.step({ w: g })));
  assert.equal(lib.buildHash, (await import('../../ts-api/index.ts')).buildHash, 'bundle embeds the current build');
});

test('without Wasm SIMD the scalar build loads automatically; simd: true is a clear error', async () => {
  const simd = wasmBytesForTest(true);
  const original = WebAssembly.validate;
  WebAssembly.validate = (bytes: BufferSource) => {
    const b = bytes as Uint8Array;
    if (b.length === simd.length && b.every((x, i) => x === simd[i])) return false;
    return original(bytes);
  };
  try {
    assert.equal(simdSupported(), false);
    const core = await loadCore({ simd: 'auto' });
    assert.equal(core.simd, false);
    assert.equal(core.exports.sg_simd(), 0);
    await assert.rejects(loadCore({ simd: true }), (e: unknown) => e instanceof SparsegradError && e.code === 'E_NO_SIMD' && /SIMD/.test(e.message));
  } finally {
    WebAssembly.validate = original;
  }
  const core = await loadCore({ simd: 'auto' });
  assert.equal(core.simd, true, 'this Node validates SIMD');
  assert.equal(core.exports.sg_simd(), 1);
});

test('the build hash is the SHA-256 of the SIMD, scalar and shared-memory builds (what workers and saved state report)', () => {
  const h = createHash('sha256').update(wasmBytesForTest(true)).update(wasmBytesForTest(false)).update(sharedWasmBytes()).digest('hex');
  assert.equal(buildHash, h);
});
