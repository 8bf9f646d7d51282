/**
 * Structured methods through the `sparsegrad` CLI, run as a child process: `compress` writes the
 * unit sections of docs/wire-format.md ("Structured units") for block, channel, head, row, column
 * and nm; the frame equals the library's `encode` of the same step; `decode --json` gives the
 * library's element indices, values and kept units; `inspect` shows the unit. Seeded data: the seed
 * is printed in every data-dependent assertion (rerun with SPARSEGRAD_TEST_SEED=<seed>).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCompressor, decodeFrame, quantizeValues, type CompressorOptions, type StepResult } from '../../ts-api/index.ts';
import { gradient, readBytes, readF32, runCli, runners, SEED, tempDir, writeF32 } from './helpers.ts';

const why = `seed ${SEED} (rerun with SPARSEGRAD_TEST_SEED=${SEED})`;

/** One library step and its frame (what the CLI must reproduce). */
async function library(options: CompressorOptions, g: Float32Array): Promise<{ result: StepResult; frame: Uint8Array }> {
  const c = await createCompressor(options);
  try {
    const result = c.step([['grad', g]], { step: 0 });
    return { result, frame: c.encode(result) };
  } finally {
    c.dispose();
  }
}

interface JsonTensor {
  name: string; length: number; indices: number[]; values: number[]; shape?: number[];
  method?: string; unit?: string; units?: number[]; unitDims?: number[]; nm?: [number, number];
}

const CASES: Array<[string, string[], CompressorOptions, number]> = [
  ['block 2x2 over 8x8, k 3', ['--method', 'block', '--block', '2x2', '--shape', '8,8', '--k', '3'],
    { method: 'block', block: [2, 2], shape: [8, 8], k: 3 }, 64],
  ['block 3x3 over 8x8 (clipped edge blocks), density 0.25', ['--method', 'block', '--block', '3', '--shape', '8,8', '--density', '0.25', '--score', 'l1'],
    { method: 'block', block: 3, shape: [8, 8], density: 0.25, score: 'l1' }, 64],
  ['channel over a conv weight 6x2x3x3, k 2', ['--method', 'channel', '--shape', '6,2,3,3', '--k', '2'],
    { method: 'channel', shape: [6, 2, 3, 3], k: 2 }, 108],
  ['head, cols layout, int8 values', ['--method', 'head', '--heads', '4', '--head-layout', 'cols', '--shape', '6,8', '--k', '1', '--values', 'int8'],
    { method: 'head', heads: 4, headLayout: 'cols', shape: [6, 8], k: 1, values: 'int8' }, 48],
  ['row, rice index code', ['--method', 'row', '--shape', '16,4', '--k', '5', '--index', 'rice'],
    { method: 'row', shape: [16, 4], k: 5, index: 'rice' }, 64],
  ['column', ['--method', 'column', '--shape', '4,16', '--k', '6', '--score', 'max'],
    { method: 'column', shape: [4, 16], k: 6, score: 'max' }, 64],
  ['nm 2:4', ['--method', 'nm', '--nm', '2:4', '--shape', '4,8'], { method: 'nm', nm: [2, 4], shape: [4, 8] }, 32],
  ['nm 3:4 with a short last group, f16 values', ['--method', 'nm', '--nm', '3:4', '--shape', '3,10', '--values', 'f16'],
    { method: 'nm', nm: [3, 4], shape: [3, 10], values: 'f16' }, 30],
];

for (const runner of runners()) {
  describe(`sparsegrad CLI, structured methods (${runner.label})`, { concurrency: true }, () => {
    let dir = '';
    let cleanup = (): void => {};
    before(() => {
      ({ dir, cleanup } = tempDir());
    });
    after(() => cleanup());

    CASES.forEach(([label, flags, options, n], c) => {
      it(`${label}: the frame equals the library's; decode --json gives its elements, values and units; inspect shows the unit`, async () => {
        const g = gradient(n, SEED + c);
        const input = join(dir, `grad${c}.f32`);
        writeF32(input, g);
        const frame = join(dir, `s${c}.sgf`);
        const r = await runCli(runner, ['compress', input, '-o', frame, '--name', 'grad', ...flags]);
        assert.deepEqual([r.code, r.stderr], [0, ''], `compress: ${r.stderr}`);
        const lib = await library(options, g);
        const t = lib.result.tensors[0]!;
        assert.deepEqual(readBytes(frame), lib.frame, `frame bytes equal the library's encode (${why})`);

        const d = await runCli(runner, ['decode', frame, '--json']);
        assert.deepEqual([d.code, d.stderr], [0, '']);
        const got = (JSON.parse(d.stdout) as { tensors: JsonTensor[] }).tensors[0]!;
        // Lossy value codes: the values sent are the quantised ones (quantizeValues of the result's).
        const sent = options.values === undefined ? t.values : quantizeValues(t.values, options.values);
        assert.deepEqual(got.indices, Array.from(t.indices), why);
        assert.deepEqual(got.values, Array.from(sent), why);
        assert.deepEqual(got.shape, options.shape);
        assert.equal(got.method, options.method);
        if (options.method === 'nm') {
          assert.deepEqual([got.unit, got.nm, got.units], ['nm', options.nm, undefined]);
        } else {
          assert.equal(got.unit, 'rect');
          assert.deepEqual(got.units, Array.from(t.units!), why);
          assert.deepEqual(got.unitDims, t.unitDims);
        }
        // The dense output of decode -o puts the same values at the same elements.
        const out = join(dir, `s${c}.f32`);
        assert.equal((await runCli(runner, ['decode', frame, '-o', out])).code, 0);
        const dense = readF32(out);
        const kept = Array.from(dense.keys()).filter((i) => dense[i] !== 0);
        assert.deepEqual(kept, Array.from(t.indices).filter((_, j) => sent[j] !== 0), why);

        const text = await runCli(runner, ['inspect', frame]);
        assert.equal(text.code, 0, text.stderr);
        if (options.method === 'nm') {
          assert.match(text.stdout, new RegExp(`\\n {2}unit: {3}nm ${options.nm![0]}:${options.nm![1]} along the last dimension\\n`));
        } else {
          const grid = t.unitDims!.map((u, i) => Math.ceil(options.shape![i]! / u));
          assert.match(text.stdout, new RegExp(
            `\\n {2}unit: {3}rect ${t.unitDims!.join('x')} \\(grid ${grid.join('x')}\\), ${t.units!.length} of ${grid.reduce((a, b) => a * b, 1)} units kept\\n`));
        }
        assert.match(text.stdout, new RegExp(`tensor 'grad': method ${options.method}, length ${n} \\[${options.shape!.join('x')}\\], kept ${t.indices.length} `));
        const js = await runCli(runner, ['inspect', frame, '--json']);
        const summary = (JSON.parse(js.stdout) as { tensors: Array<{ unit: string; keptUnits?: number; k: number }> }).tensors[0]!;
        assert.equal(summary.unit, options.method === 'nm' ? 'nm' : 'rect');
        assert.equal(summary.k, t.indices.length);
        if (options.method !== 'nm') assert.equal(summary.keptUnits, t.units!.length);
      });
    });

    it('the block example of the brief: 3 blocks of 2x2 over an 8x8 tensor are 12 elements, ascending', async () => {
      const g = Float32Array.from({ length: 64 }, (_, i) => ((i * 37) % 64) - 31.5);
      const input = join(dir, 'blk.f32');
      writeF32(input, g);
      const frame = join(dir, 'blk.sgf');
      const r = await runCli(runner, ['compress', input, '-o', frame, '--method', 'block', '--block', '2x2', '--shape', '8,8', '--k', '3']);
      assert.equal(r.code, 0, r.stderr);
      const f = decodeFrame(readBytes(frame)).tensors[0]!;
      assert.equal(f.units!.length, 3);
      assert.equal(f.indices.length, 12);
      assert.deepEqual(Array.from(f.indices), [...f.indices].sort((a, b) => a - b));
      for (const u of f.units!) {
        const [by, bx] = [Math.floor(u / 4), u % 4];
        for (const i of [0, 1, 8, 9].map((o) => by * 16 + bx * 2 + o)) assert.ok(f.indices.includes(i), `unit ${u} element ${i}`);
      }
      const d = await runCli(runner, ['decode', frame, '--json']);
      const got = (JSON.parse(d.stdout) as { tensors: JsonTensor[] }).tensors[0]!;
      assert.deepEqual(got.values, Array.from(f.indices, (i) => g[i]!), 'sent values are the gradient at the kept elements');
    });

    it('decode --masks: learned-mask frames sent without their mask use the store, which good frames update', async () => {
      const c = await createCompressor({ method: 'mask', k: 3, maskEvery: 10 });
      const frames: string[] = [];
      const results: StepResult[] = [];
      for (let st = 0; st < 3; st++) {
        const res = c.step({ w: gradient(20, SEED + 100 + st) });
        results.push(res);
        const path = join(dir, `mask${st}.sgf`);
        writeFileSync(path, c.encode(res));
        frames.push(path);
      }
      c.dispose();
      assert.deepEqual(results.map((x) => x.tensors[0]!.maskChanged), [true, false, false]);
      const store = join(dir, 'masks.json');
      const cold = await runCli(runner, ['decode', frames[1]!, '--json', '--masks', store]);
      assert.equal(cold.code, 1);
      assert.match(cold.stderr, /^error: .*stored mask/);
      for (let st = 0; st < 3; st++) {
        const d = await runCli(runner, ['decode', frames[st]!, '--json', '--masks', store]);
        assert.equal(d.code, 0, d.stderr);
        const got = (JSON.parse(d.stdout) as { tensors: Array<JsonTensor & { maskSent: boolean }> }).tensors[0]!;
        assert.deepEqual([got.indices, got.values, got.maskSent], [
          Array.from(results[st]!.tensors[0]!.indices), Array.from(results[st]!.tensors[0]!.values), st === 0,
        ], `step ${st} (${why})`);
      }
    });
  });
}
