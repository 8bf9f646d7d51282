/**
 * The C host of the Wasm core (interop/c/): builds it with interop/c/build.sh (wasm2c + gcc) from
 * the exact scalar module the TypeScript API embeds, runs the fixed error-feedback scenario of
 * interop/c/demo.c, and checks that its frames, selections and final residuals equal, byte for
 * byte, what the TypeScript API (createCompressor({ method: 'topk', k, simd: false }) and
 * encodeFrame with the same codes) produces for the same gradients; decodes the golden vectors
 * through the host; and exercises its error paths. Fails (never skips) when gcc or wasm2c is missing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCompressor } from '../../ts-api/index.ts';
import { encodeFrame, decodeFrame, type EncodeTensor } from '../../ts-api/codec/index.ts';
import type { IndexCodeName, ValueCodeName } from '../../ts-api/codec/ids.ts';
import { SCALAR_WASM_BASE64 } from '../../ts-api/backends/wasm/modules.gen.ts';
import { bytesOf, concat, demoGradient, requireTool, ROOT, run, sha256, tempDir } from './helpers.ts';

const RUNTIME = process.env.WASM2C_RUNTIME ?? '/usr/share/wabt/wasm2c';
/** The scenario of interop/c/demo.c (keep in sync with its header comment). */
const TENSORS: Array<{ name: string; n: number; k: number; shape?: number[]; index: IndexCodeName | 'auto'; values: ValueCodeName }> = [
  { name: 'embed.w', n: 10000, k: 100, shape: [100, 100], index: 'rice', values: 'f16' },
  { name: 'fc.w', n: 3000, k: 30, shape: [30, 100], index: 'csr', values: 'int8' },
  { name: 'fc.b', n: 10, k: 1, index: 'auto', values: 'bf16' },
  { name: 'head.b', n: 7, k: 7, index: 'bitmap', values: 'ternary' },
];
const STEPS = 6;
/** Core exports the C host calls (interop/c/sg_host.c). */
const HOST_IMPORTS = [
  'sg_abi_version', 'sg_alloc', 'sg_free', 'sg_topk', 'sg_result_indices', 'sg_result_values', 'sg_error_index',
  'sg_wire_version', 'sg_codec_seed', 'sg_frame_begin', 'sg_frame_add_tensor', 'sg_frame_finish', 'sg_frame_bytes',
  'sg_frame_status', 'sg_frame_error_index', 'sg_decode', 'sg_decode_error_offset', 'sg_decode_release',
  'sg_decode_step', 'sg_decode_total_length', 'sg_decode_checksum', 'sg_decode_tensor_count', 'sg_decode_field',
  'sg_decode_name', 'sg_decode_dim', 'sg_decode_values', 'sg_decode_unit_dim',
];

const tmp = tempDir('chost');
after(() => tmp.cleanup());
const out = join(tmp.dir, 'c');
const wasm = join(tmp.dir, 'sparsegrad.scalar.wasm');

function requireCTools(): void {
  requireTool('gcc', 'install gcc');
  requireTool('wasm2c', 'Debian: apt-get install -y wabt');
  if (!existsSync(join(RUNTIME, 'wasm-rt-impl.c'))) {
    throw new Error(`${RUNTIME}/wasm-rt-impl.c not found (Debian: apt-get install -y wabt, or set WASM2C_RUNTIME)`);
  }
}

before(() => {
  requireCTools();
  // Build from the module the TS API runs, so both sides execute the same Wasm bytes.
  writeFileSync(wasm, Buffer.from(SCALAR_WASM_BASE64, 'base64'));
  const r = run('sh', [join(ROOT, 'interop/c/build.sh')], { env: { ...process.env, SG_WASM: wasm, SG_C_OUT: out } });
  assert.equal(r.status, 0, `interop/c/build.sh failed:\n${r.stdout}\n${r.stderr}`);
});

test('gcc, wasm2c and the wasm2c runtime are available', () => requireCTools());

/** The TS side of the scenario: per step the frame and the raw selections (u32 k, u32 indices, f32 values per tensor); then the residuals. */
async function nodeScenario(): Promise<{ steps: Uint8Array[]; frames: Uint8Array[]; residual: Uint8Array }> {
  const first = TENSORS[0]!;
  const c = await createCompressor({
    method: 'topk', k: first.k, simd: false,
    tensors: Object.fromEntries(TENSORS.map((t) => [t.name, { ...(t === first ? {} : { k: t.k }), values: t.values, index: t.index }])),
  });
  assert.equal(c.core.exports.sg_simd(), 0, 'the TS side runs the scalar build');
  const steps: Uint8Array[] = [];
  const frames: Uint8Array[] = [];
  for (let s = 0; s < STEPS; s++) {
    const res = c.step(TENSORS.map((t, j) => [t.name, demoGradient(j, s, t.n)] as [string, Float32Array]));
    steps.push(concat(res.tensors.flatMap((t) => [bytesOf(Uint32Array.of(t.indices.length)), bytesOf(t.indices), bytesOf(t.values)])));
    const tensors: EncodeTensor[] = res.tensors.map((t, j) => ({
      name: t.name, length: t.length, indices: t.indices, values: t.values, method: 'topk',
      shape: TENSORS[j]!.shape, indexCode: TENSORS[j]!.index, valueCode: TENSORS[j]!.values,
    }));
    frames.push(encodeFrame({ step: res.step, tensors }));
  }
  const residual = concat(TENSORS.map((t) => bytesOf(c.getResidual(t.name))));
  c.dispose();
  return { steps, frames, residual };
}

test('the core module exports everything the C host calls (selection, sg_frame_*, sg_decode*)', () => {
  const names = new Set(WebAssembly.Module.exports(new WebAssembly.Module(Buffer.from(SCALAR_WASM_BASE64, 'base64'))).map((e) => e.name));
  assert.deepEqual(HOST_IMPORTS.filter((n) => !names.has(n)), [], 'missing core exports');
});

test('the C host reproduces the TS API bit for bit: frames, selections of every step, final residuals', async (t) => {
  requireCTools();
  const dir = join(tmp.dir, 'demo');
  mkdirSync(dir, { recursive: true });
  const r = run(join(out, 'sg_demo'), [dir]);
  assert.equal(r.status, 0, `sg_demo failed (${String(r.status)}):\n${r.stderr}`);
  assert.match(r.stdout, /core ABI 1, wire format 1, 6 steps x 4 tensors/);
  const node = await nodeScenario();
  for (let s = 0; s < STEPS; s++) {
    const cFrame = new Uint8Array(readFileSync(join(dir, `step${s}.sgd`)));
    t.diagnostic(`step ${s} frame: C sha256 ${sha256(cFrame)}, Node sha256 ${sha256(node.frames[s]!)}`);
    assert.equal(sha256(cFrame), sha256(node.frames[s]!), `step ${s}: frames differ`);
    const cSel = new Uint8Array(readFileSync(join(dir, `step${s}.sel`)));
    assert.equal(sha256(cSel), sha256(node.steps[s]!), `step ${s}: selections differ`);
  }
  const codes = decodeFrame(node.frames[0]!).tensors.map((x) => `${x.indexCode}/${x.valueCode}`);
  assert.deepEqual(codes, ['rice/f16', 'csr/int8', 'varint/bf16', 'bitmap/ternary']);
  const cRes = new Uint8Array(readFileSync(join(dir, 'residual.f32')));
  t.diagnostic(`residuals: C sha256 ${sha256(cRes)}, Node sha256 ${sha256(node.residual)}`);
  assert.equal(sha256(cRes), sha256(node.residual), 'final residuals differ');
  // Error feedback carried the dropped mass and the quantisation error forward.
  assert.ok(new Float32Array(cRes.buffer, cRes.byteOffset, cRes.length / 4).some((v) => v !== 0));
});

const VECTORS = join(ROOT, 'tests/vectors');
const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')) as { valid: string[]; invalid: string[] };

/** sg_decode's --mask arguments for a mask store. */
const maskArgs = (masks: Record<string, number[]> | undefined): string[] =>
  Object.entries(masks ?? {}).flatMap(([k, v]) => ['--mask', `${k}=${v.join(',')}`]);

test('the C host decodes every golden vector like the spec says (content bit for bit; code and offset)', () => {
  requireCTools();
  const exe = join(out, 'sg_decode');
  for (const name of manifest.valid) {
    const masks = (JSON.parse(readFileSync(join(VECTORS, 'valid', `${name}.json`), 'utf8')) as { masks?: Record<string, number[]> }).masks;
    const r = run(exe, [join(VECTORS, 'valid', `${name}.bin`), ...maskArgs(masks)]);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    const want = JSON.parse(readFileSync(join(VECTORS, 'valid', `${name}.json`), 'utf8')) as { decoded: { tensors: Array<Record<string, unknown>> } };
    const expected = { ...want.decoded, tensors: want.decoded.tensors.map(({ values: _v, ...rest }) => rest) };
    assert.deepEqual(JSON.parse(r.stdout), expected, name);
  }
  for (const name of manifest.invalid) {
    const want = JSON.parse(readFileSync(join(VECTORS, 'invalid', `${name}.json`), 'utf8')) as {
      code: string; offset: number; limits?: { maxBytes?: number; maxElements?: number }; masks?: Record<string, number[]>;
    };
    const args = [join(VECTORS, 'invalid', `${name}.bin`), ...maskArgs(want.masks)];
    if (want.limits?.maxBytes !== undefined) args.push('--max-bytes', String(want.limits.maxBytes));
    if (want.limits?.maxElements !== undefined) args.push('--max-elements', String(want.limits.maxElements));
    const r = run(exe, args);
    assert.equal(r.status, 1, `${name}: decoded an invalid frame`);
    assert.equal(r.stderr, `error: ${want.code} at offset ${want.offset}\n`, name);
  }
});

test('the C host: error paths (NaN, k > n, encoder refusals, limits), n = 0, quantisation, the worked example', () => {
  requireCTools();
  const src = join(ROOT, 'tests/interop/c_host_errors.c');
  const exe = join(tmp.dir, 'c_host_errors');
  const cc = run('gcc', ['-std=gnu11', '-O1', '-Wall', '-Wextra', '-Werror', `-I${join(ROOT, 'interop/c')}`, src, join(out, 'libsparsegrad.a'), '-lm', '-o', exe]);
  assert.equal(cc.status, 0, cc.stderr);
  const r = run(exe, []);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ok\n$/);
});
