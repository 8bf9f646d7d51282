/**
 * The Python/NumPy decoder (interop/python/sparsegrad_decode.py, written from docs/wire-format.md)
 * against the golden vectors, against frames written by the TypeScript encoder for a seeded
 * multi-tensor error-feedback scenario (all index and value codes), against the TypeScript decoder
 * on seeded mutations of valid frames, and its CLI and aggregation helper. Runs Debian's
 * /usr/bin/python3 as a child process; fails (never skips) when it or NumPy is missing.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCompressor } from '../../ts-api/index.ts';
import { decodeFrame, densify, encodeFrame, type DecodeLimits, type EncodeTensor } from '../../ts-api/codec/index.ts';
import { crc32c } from '../../ts-api/codec/crc32c.ts';
import type { IndexCodeName, ValueCodeName } from '../../ts-api/codec/ids.ts';
import { FormatError } from '../../ts-api/errors.ts';
import { rng } from '../../examples/federated/prng.ts';
import { decodedToJson, masksFromJson } from '../vectors/cases.ts';
import { bytesOf, concat, PY_DECODER, PY_DECODER_DIR, PYTHON, requirePythonNumpy, ROOT, run, tempDir } from './helpers.ts';

type Json = Record<string, unknown>;
type PyResult = { decoded?: Json; error?: { code: string; offset: number; message: string }; masks?: Record<string, number[]> };
type Masks = Record<string, number[]>;

const VECTORS = join(ROOT, 'tests/vectors');
const DRIVER = join(ROOT, 'tests/interop/py_driver.py');
const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')) as { valid: string[]; invalid: string[] };
const SEED = Number(process.env.SPARSEGRAD_SEED ?? 20240611) >>> 0;
const tmp = tempDir('pyinterop');
after(() => tmp.cleanup());

/** The frame as the decoders' common JSON, without the informative `values` numbers. */
function tsJson(bytes: Uint8Array, limits: DecodeLimits = {}, masks?: Masks): PyResult {
  try {
    const j = decodedToJson(decodeFrame(bytes, limits, { masks: masksFromJson(masks) }));
    return { decoded: { ...j, tensors: j.tensors.map(({ values: _v, ...rest }) => rest) } };
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return { error: { code: e.code, offset: e.offset, message: e.message } };
  }
}

/** Decodes many frame files in one Python process. */
function pyFiles(items: Array<{ path: string; masks?: Masks } & DecodeLimits>): PyResult[] {
  const list = join(tmp.dir, `list-${items.length}-${Date.now()}.json`);
  writeFileSync(list, JSON.stringify(items));
  const r = run(PYTHON, [DRIVER, PY_DECODER_DIR, 'files', list]);
  assert.equal(r.status, 0, `python driver failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as PyResult[];
}

const same = (py: PyResult, ts: PyResult): [unknown, unknown] =>
  ts.error ? [py.error && [py.error.code, py.error.offset], [ts.error.code, ts.error.offset]] : [py.decoded ?? py.error, ts.decoded];

let golden: { valid: Record<string, PyResult>; invalid: Record<string, PyResult> };

before(() => {
  requirePythonNumpy();
  const r = run(PYTHON, [DRIVER, PY_DECODER_DIR, 'vectors', VECTORS]);
  assert.equal(r.status, 0, `python driver failed:\n${r.stderr}`);
  golden = JSON.parse(r.stdout) as typeof golden;
});

test(`${PYTHON} with NumPy is available`, () => requirePythonNumpy());

for (const name of manifest.valid) {
  test(`python decodes golden '${name}' to its expected content, bit for bit`, () => {
    const want = JSON.parse(readFileSync(join(VECTORS, 'valid', `${name}.json`), 'utf8')) as {
      decoded: Json & { tensors: Json[] }; masksAfter?: Masks;
    };
    const expected = { ...want.decoded, tensors: want.decoded.tensors.map(({ values: _v, ...rest }) => rest) };
    const got = golden.valid[name];
    assert.ok(got?.decoded, `python failed: ${JSON.stringify(got?.error)}`);
    assert.deepEqual(got.decoded, expected);
    if (want.masksAfter !== undefined) assert.deepEqual(got.masks, want.masksAfter, 'mask store after decoding');
  });
}

for (const name of manifest.invalid) {
  test(`python rejects golden '${name}' with the expected code and offset`, () => {
    const want = JSON.parse(readFileSync(join(VECTORS, 'invalid', `${name}.json`), 'utf8')) as { code: string; offset: number; masks?: Masks };
    const got = golden.invalid[name];
    assert.ok(got?.error, `python decoded an invalid frame: ${JSON.stringify(got).slice(0, 200)}`);
    assert.deepEqual([got.error.code, got.error.offset], [want.code, want.offset], got.error.message);
    if (want.masks !== undefined) assert.deepEqual(got.masks, want.masks, 'a failed frame leaves the mask store unchanged');
  });
}

const INDEX: IndexCodeName[] = ['coo', 'csr', 'bitmap', 'rle', 'varint', 'rice'];
const VALUE: ValueCodeName[] = ['f32', 'f16', 'bf16', 'int8', 'ternary'];
const LAYERS: Array<{ name: string; shape?: number[]; n: number }> = [
  { name: 'conv1.w', shape: [32, 27], n: 864 },
  { name: 'fc1.w', shape: [128, 64], n: 8192 },
  { name: 'fc1.b', n: 128 },
  { name: 'fc2.w', shape: [10, 128], n: 1280 },
  { name: 'embed', n: 20000 },
  { name: 'big', n: 1_000_000 }, // frames above 8 KiB: the lane-parallel CRC-32C path
];
const STEPS = 5;

/** The scenario: seeded gradients (magnitudes over 2^±24, so f16/bf16 edges occur) → top-k 1 % with EF → frames. */
async function scenario(): Promise<{ frames: Uint8Array[]; sent: Array<Map<string, Float32Array>> }> {
  const r = rng(SEED);
  const c = await createCompressor({ method: 'topk', density: 0.01 });
  const frames: Uint8Array[] = [];
  const sent: Array<Map<string, Float32Array>> = [];
  for (let s = 0; s < STEPS; s++) {
    const grads = LAYERS.map(({ name, n }) => {
      const g = new Float32Array(n);
      for (let i = 0; i < n; i++) g[i] = (r() - 0.5) * 2 ** Math.floor(r() * 48 - 24);
      return [name, g] as [string, Float32Array];
    });
    const out = c.step(grads);
    const tensors: EncodeTensor[] = out.tensors.map((t, j) => {
      const layer = LAYERS[j]!;
      let indexCode: IndexCodeName | 'auto' = s === STEPS - 1 ? 'auto' : INDEX[(s + j) % INDEX.length]!;
      if (indexCode === 'csr' && layer.shape?.length !== 2) indexCode = 'auto';
      return { ...t, method: 'topk', shape: layer.shape, indexCode, valueCode: VALUE[(2 * s + j) % VALUE.length]! };
    });
    frames.push(encodeFrame({ step: out.step, tensors }));
    sent.push(new Map(out.tensors.map((t) => [t.name, densify(t)])));
  }
  c.dispose();
  return { frames, sent };
}

test(`python densifies frames of the TS encoder (seeded scenario, seed ${SEED}) bit for bit like TS`, async () => {
  requirePythonNumpy();
  const { frames, sent } = await scenario();
  const used = { index: new Set<string>(), value: new Set<string>() };
  const paths = frames.map((f, s) => {
    const p = join(tmp.dir, `scenario-${s}.sgd`);
    writeFileSync(p, f);
    return p;
  });
  const meta = pyFiles(paths.map((path) => ({ path })));
  frames.forEach((f, s) => {
    const ts = decodeFrame(f);
    for (const t of ts.tensors) {
      used.index.add(t.indexCode);
      used.value.add(t.valueCode);
    }
    assert.deepEqual(...same(meta[s]!, tsJson(f)), `step ${s}: python and TS decode differ (seed ${SEED})`);
    const out = join(tmp.dir, `scenario-${s}.f32`);
    const r = run(PYTHON, [PY_DECODER, paths[s]!, '--dense', out]);
    assert.equal(r.status, 0, r.stderr);
    const want = concat(ts.tensors.map((t) => bytesOf(densify(t))));
    assert.deepEqual(new Uint8Array(readFileSync(out)), want, `step ${s}: dense bytes differ (seed ${SEED})`);
    for (const t of ts.tensors) {
      if (t.valueCode === 'f32') assert.deepEqual(densify(t), sent[s]!.get(t.name), `${t.name}: f32 is lossless`);
    }
  });
  assert.deepEqual([...used.index].sort(), [...INDEX].sort(), 'every index code is exercised');
  assert.deepEqual([...used.value].sort(), [...VALUE].sort(), 'every value code is exercised');
});

test('python and TS agree on edge tensors (n = 0, k = 0, k = n, rank 0) in every index × value code', () => {
  requirePythonNumpy();
  const cases: Array<{ length: number; shape?: number[]; indices: number[] }> = [
    { length: 0, shape: [0, 3], indices: [] },
    { length: 6, shape: [2, 3], indices: [] },
    { length: 6, shape: [2, 3], indices: [0, 1, 2, 3, 4, 5] },
    { length: 9, shape: [3, 3], indices: [3, 4, 5] },
    { length: 1, shape: [], indices: [0] },
    { length: 17, indices: [0, 16] },
  ];
  const frames: Uint8Array[] = [];
  for (const ic of INDEX) {
    for (const vc of VALUE) {
      const tensors: EncodeTensor[] = cases
        .filter((c) => ic !== 'csr' || c.shape?.length === 2)
        .map((c, j) => ({
          name: `t${j}`, method: 'topk', length: c.length, shape: c.shape, indexCode: ic, valueCode: vc,
          indices: Uint32Array.from(c.indices), values: Float32Array.from(c.indices, (i) => (i % 2 ? -1 : 1) * (i + 0.375)),
        }));
      frames.push(encodeFrame({ step: frames.length, tensors }));
    }
  }
  const py = pyFiles(frames.map((f, j) => {
    const path = join(tmp.dir, `edge-${j}.sgd`);
    writeFileSync(path, f);
    return { path };
  }));
  frames.forEach((f, j) => assert.deepEqual(...same(py[j]!, tsJson(f)), `edge frame ${j}`));
});

test('python aggregate() is the weighted mean of the densified updates (f64 sums, one f32 rounding)', async () => {
  requirePythonNumpy();
  const { frames } = await scenario();
  const weights = frames.map((_, s) => s + 1);
  const paths = frames.map((f, s) => {
    const p = join(tmp.dir, `agg-${s}.sgd`);
    writeFileSync(p, f);
    return p;
  });
  const script = [
    'import sys, json', `sys.path.insert(0, ${JSON.stringify(PY_DECODER_DIR)})`, 'import sparsegrad_decode as sg',
    'paths = json.loads(sys.argv[1]); w = json.loads(sys.argv[2])',
    'res = sg.aggregate([open(p, "rb").read() for p in paths], weights=w)',
    'out = open(sys.argv[3], "wb")',
    'for name in json.loads(sys.argv[4]): out.write(res[name].astype("<f4").tobytes())',
  ].join('\n');
  const out = join(tmp.dir, 'agg.f32');
  const r = run(PYTHON, ['-c', script, JSON.stringify(paths), JSON.stringify(weights), out, JSON.stringify(LAYERS.map((l) => l.name))]);
  assert.equal(r.status, 0, r.stderr);
  const total = weights.reduce((a, b) => a + b, 0);
  const want = LAYERS.map(({ name, n }) => {
    const acc = new Float64Array(n);
    frames.forEach((f, s) => {
      const t = decodeFrame(f).tensors.find((x) => x.name === name)!;
      for (let j = 0; j < t.indices.length; j++) acc[t.indices[j]!] += weights[s]! * t.values[j]!;
    });
    return bytesOf(Float32Array.from(acc, (v) => v / total));
  });
  assert.deepEqual(new Uint8Array(readFileSync(out)), concat(want));
});

test(`python and TS agree on seeded mutations of valid frames (seed ${SEED})`, async () => {
  requirePythonNumpy();
  const r = rng(SEED ^ 0x5bd1e995);
  const { frames } = await scenario();
  const bases: Array<{ bytes: Uint8Array; masks?: Masks }> = [
    ...manifest.valid.map((n) => ({
      bytes: new Uint8Array(readFileSync(join(VECTORS, 'valid', `${n}.bin`))),
      masks: (JSON.parse(readFileSync(join(VECTORS, 'valid', `${n}.json`), 'utf8')) as { masks?: Masks }).masks,
    })),
    ...frames.map((bytes) => ({ bytes })),
  ].filter((b) => b.bytes.length < 4096);
  const items: Array<{ path: string; masks?: Masks } & DecodeLimits> = [];
  const mutants: Array<{ bytes: Uint8Array; limits: DecodeLimits; masks?: Masks }> = [];
  for (let m = 0; m < 3000; m++) {
    const { bytes: base, masks } = bases[Math.floor(r() * bases.length)]!;
    let b = base.slice();
    const kind = r();
    if (kind < 0.1) b = b.slice(0, Math.floor(r() * b.length));
    else {
      const flips = 1 + Math.floor(r() * 3);
      for (let j = 0; j < flips; j++) {
        const where = r(); // section headers, payloads near the end, or anywhere
        const at = where < 0.35 ? 20 + Math.floor(r() * Math.min(40, b.length - 24))
          : where < 0.8 ? Math.max(0, b.length - 5 - Math.floor(r() * Math.min(64, b.length - 4))) : Math.floor(r() * b.length);
        b[at] = r() < 0.5 ? Math.floor(r() * 256) : b[at]! ^ (1 << Math.floor(r() * 8));
      }
      if (kind < 0.9 && b.length >= 24) {
        const end = b.length - 4;
        new DataView(b.buffer).setUint32(end, crc32c(b, 0, end), true); // reach the checks after the checksum
      }
    }
    const limits: DecodeLimits = r() < 0.1 ? { maxElements: Math.floor(r() * 64) } : {};
    const path = join(tmp.dir, `mutant-${m}.bin`);
    writeFileSync(path, b);
    items.push({ path, ...limits, ...(masks ? { masks } : {}) });
    mutants.push({ bytes: b, limits, masks });
  }
  const py = pyFiles(items);
  let errors = 0;
  mutants.forEach(({ bytes, limits, masks }, m) => {
    const ts = tsJson(bytes, limits, masks);
    if (ts.error) errors++;
    assert.deepEqual(...same(py[m]!, ts), `mutant ${m} (seed ${SEED}): ${ts.error?.message ?? 'TS decoded it'}`);
  });
  assert.ok(errors > 1000, `${errors} mutants rejected`);
});

test('python CLI: --json, --dense, a bad frame (exit 1, one error line) and bad usage (exit 2)', () => {
  requirePythonNumpy();
  const frame = join(VECTORS, 'valid/worked_example.bin');
  const j = run(PYTHON, [PY_DECODER, frame, '--json']);
  assert.equal(j.status, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), tsJson(new Uint8Array(readFileSync(frame))).decoded);
  const summary = run(PYTHON, [PY_DECODER, frame]);
  assert.equal(summary.status, 0, summary.stderr);
  assert.match(summary.stdout, /^step 7, 2 tensors, 101 bytes, crc32c 339168b1\n {2}fc\.w: topk, length 20 \(4x5\), k 4, rice\/f16/);
  const bad = run(PYTHON, [PY_DECODER, join(VECTORS, 'invalid/checksum.bin')]);
  const want = JSON.parse(readFileSync(join(VECTORS, 'invalid/checksum.json'), 'utf8')) as { code: string; offset: number };
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, new RegExp(`^error: ${want.code} at offset ${want.offset}: .+\\n$`));
  const limit = run(PYTHON, [PY_DECODER, frame, '--max-bytes', '100']);
  assert.equal(limit.status, 1);
  assert.match(limit.stderr, /^error: E_LIMIT at offset 0: /);
  assert.equal(run(PYTHON, [PY_DECODER]).status, 2);
  assert.equal(run(PYTHON, [PY_DECODER, join(tmp.dir, 'missing.sgd')]).status, 1);
});

test('python CLI --masks: a mask store file is read, used for masks sent without the mask, and rewritten', () => {
  requirePythonNumpy();
  const store = join(tmp.dir, 'masks.json');
  const stored = join(VECTORS, 'valid/mask_stored.bin');
  const cold = run(PYTHON, [PY_DECODER, stored, '--json', '--masks', store]);
  assert.equal(cold.status, 1);
  assert.match(cold.stderr, /^error: E_MASK at offset 20: /);
  const sent = run(PYTHON, [PY_DECODER, join(VECTORS, 'valid/mask_sent.bin'), '--masks', store]);
  assert.equal(sent.status, 0, sent.stderr);
  assert.match(sent.stdout, /m1: mask, length 100 \(flat\), k 5, rice\/f32, \d+ bytes, unit mask/);
  const want = JSON.parse(readFileSync(join(VECTORS, 'valid/mask_sent.json'), 'utf8')) as { masksAfter: Masks };
  assert.deepEqual(JSON.parse(readFileSync(store, 'utf8')), want.masksAfter);
  const warm = run(PYTHON, [PY_DECODER, stored, '--json', '--masks', store]);
  assert.equal(warm.status, 0, warm.stderr);
  const expected = JSON.parse(readFileSync(join(VECTORS, 'valid/mask_stored.json'), 'utf8')) as { decoded: Json & { tensors: Json[] } };
  assert.deepEqual(JSON.parse(warm.stdout), { ...expected.decoded, tensors: expected.decoded.tensors.map(({ values: _v, ...t }) => t) });
});

test('python allow_nonfinite relaxes only E_NONFINITE_VALUE', () => {
  requirePythonNumpy();
  for (const name of ['f32_nan', 'f32_inf', 'f16_inf', 'bf16_nan', 'int8_overflow']) {
    const path = join(VECTORS, 'invalid', `${name}.bin`);
    const [py] = pyFiles([{ path, allowNonFinite: true }]);
    const ts = tsJson(new Uint8Array(readFileSync(path)), { allowNonFinite: true });
    assert.ok(py?.decoded && ts.decoded, `${name}: both decode with allow_nonfinite`);
    const strip = (d: Json): Json => ({ ...d, tensors: (d.tensors as Json[]).map(({ valuesF32Hex: _h, ...t }) => t) });
    assert.deepEqual(strip(py.decoded), strip(ts.decoded), name);
    const nonFinite = (d: Json): boolean[] =>
      (d.tensors as Json[]).flatMap((t) => (t.valuesF32Hex as string[]).map((h) => (parseInt(h, 16) & 0x7f800000) === 0x7f800000));
    assert.deepEqual(nonFinite(py.decoded), nonFinite(ts.decoded), name);
  }
  const [strict] = pyFiles([{ path: join(VECTORS, 'invalid/int8_scale_negative.bin'), allowNonFinite: true }]);
  assert.equal(strict?.error?.code, 'E_PARAM');
});
