/**
 * The `sparsegrad` CLI, run as a child process: round trips against the library, decode --json,
 * error feedback through --state across invocations, and lossy value codes feeding their error
 * back into the residual. Error paths are in cli_errors.test.ts. Seeded data: the seed is printed
 * in every data-dependent assertion (rerun with SPARSEGRAD_TEST_SEED=<seed>).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCompressor, densify, type CompressorOptions, type Method, type StepResult } from '../../ts-api/index.ts';
import { decodeFrame, encodeFrame } from '../../ts-api/codec/index.ts';
import { bits, gradient, readBytes, readF32, runCli, runners, SEED, tempDir, writeF32 } from './helpers.ts';

const N = 3000;
const why = `seed ${SEED} (rerun with SPARSEGRAD_TEST_SEED=${SEED})`;

/** One in-process step with a fresh compressor (what the CLI must reproduce). */
async function libraryStep(options: CompressorOptions, name: string, g: Float32Array, step = 0): Promise<StepResult> {
  const c = await createCompressor(options);
  try {
    return c.step([[name, g]], { step });
  } finally {
    c.dispose();
  }
}

/** The independent top-k: sort by |x| descending, ties by the lower index, return sorted indices. */
function topkIndices(g: Float32Array, k: number): number[] {
  const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!) || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

for (const runner of runners()) {
  describe(`sparsegrad CLI (${runner.label})`, { concurrency: true }, () => {
    let dir = '';
    let cleanup = (): void => {};
    let g: Float32Array = new Float32Array(0);
    let input = '';
    before(() => {
      ({ dir, cleanup } = tempDir());
      g = gradient(N, SEED);
      input = join(dir, 'grad.f32');
      writeF32(input, g);
    });
    after(() => cleanup());

    it('topk round trip: decode -o equals the library result and an independent top-k', async () => {
      const frame = join(dir, 'topk.sgf');
      const out = join(dir, 'topk.out.f32');
      const c = await runCli(runner, ['compress', input, '-o', frame, '--method', 'topk', '--density', '0.01']);
      assert.deepEqual([c.code, c.stdout, c.stderr], [0, '', ''], 'compress succeeds silently');
      const d = await runCli(runner, ['decode', frame, '-o', out]);
      assert.deepEqual([d.code, d.stdout, d.stderr], [0, '', '']);
      const dense = readF32(out);
      const lib = (await libraryStep({ method: 'topk', density: 0.01 }, 'grad', g)).tensors[0]!;
      assert.deepEqual(bits(dense), bits(densify(lib)), why);
      const expected = topkIndices(g, 30);
      assert.deepEqual(Array.from(lib.indices), expected, why);
      const kept = Array.from(dense.keys()).filter((i) => dense[i] !== 0);
      assert.deepEqual(kept, expected, why);
      for (const i of expected) assert.equal(dense[i], g[i], why);
      const bytes = encodeFrame({ step: 0, tensors: [{ ...lib, method: 'topk' }] });
      assert.deepEqual(readBytes(frame), bytes, 'frame bytes equal encodeFrame of the library result');
    });

    const methods: Array<[string, string[], CompressorOptions, Method]> = [
      ['threshold (absolute)', ['--method', 'threshold', '--threshold', '0.5'], { method: 'threshold', threshold: 0.5 }, 'threshold'],
      ['threshold with --k (percentile)', ['--method', 'threshold', '--k', '40'], { method: 'threshold', k: 40 }, 'percentile'],
      ['percentile', ['--method', 'percentile', '--density', '0.02'], { method: 'percentile', density: 0.02 }, 'percentile'],
      ['randomk --rescale', ['--method', 'randomk', '--k', '25', '--seed', '99', '--rescale'], { method: 'randomk', k: 25, seed: 99, rescale: true }, 'randomk'],
      ['probabilistic', ['--method', 'probabilistic', '--density', '0.05', '--seed', '7', '--step', '4'], { method: 'probabilistic', density: 0.05, seed: 7 }, 'probabilistic'],
      ['approx-topk', ['--method', 'approx-topk', '--density', '0.05'], { method: 'approx-topk', density: 0.05 }, 'approx-topk'],
      ['global-topk', ['--method', 'global-topk', '--k', '12'], { method: 'global-topk', k: 12 }, 'global-topk'],
    ];
    for (const [label, flags, options, frameMethod] of methods) {
      it(`${label}: frame and decoded tensor equal the library's`, async () => {
        const frame = join(dir, `${label.replace(/\W+/g, '_')}.sgf`);
        const c = await runCli(runner, ['compress', input, '-o', frame, ...flags]);
        assert.equal(c.code, 0, c.stderr);
        const step = flags.includes('--step') ? 4 : 0;
        const lib = await libraryStep(options, 'grad', g, step);
        const t = lib.tensors[0]!;
        assert.deepEqual(readBytes(frame), encodeFrame({ step, tensors: [{ ...t, method: frameMethod }] }), why);
        const decoded = decodeFrame(readBytes(frame));
        assert.equal(decoded.step, step);
        assert.deepEqual(bits(densify(decoded.tensors[0]!)), bits(densify(t)), why);
      });
    }

    it('decode --json prints exactly {"tensors":[{name,length,indices,values}]} on one line', async () => {
      const frame = join(dir, 'json.sgf');
      const c = await runCli(runner, ['compress', input, '-o', frame, '--method', 'topk', '--k', '9', '--name', 'layer.0/w']);
      assert.equal(c.code, 0, c.stderr);
      const d = await runCli(runner, ['decode', frame, '--json']);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(d.stderr, '');
      assert.ok(d.stdout.endsWith('\n') && !d.stdout.slice(0, -1).includes('\n'), 'one line');
      const parsed = JSON.parse(d.stdout) as { tensors: Array<Record<string, unknown>> };
      const t = decodeFrame(readBytes(frame)).tensors[0]!;
      assert.deepEqual(parsed, {
        tensors: [{ name: 'layer.0/w', length: N, indices: Array.from(t.indices), values: Array.from(t.values) }],
      });
      assert.deepEqual(Object.keys(parsed.tensors[0]!), ['name', 'length', 'indices', 'values']);
      assert.equal(d.stdout, `${JSON.stringify(parsed)}\n`);
    });

    it('decode of a shaped frame: --json adds shape after values; -o concatenates nothing extra', async () => {
      const frame = join(dir, 'shaped.sgf');
      const out = join(dir, 'shaped.f32');
      const c = await runCli(runner, ['compress', input, '-o', frame, '--method', 'topk', '--k', '5', '--shape', '30,100', '--index', 'csr']);
      assert.equal(c.code, 0, c.stderr);
      const d = await runCli(runner, ['decode', frame, '--json', '-o', out]);
      assert.equal(d.code, 0, d.stderr);
      const parsed = JSON.parse(d.stdout) as { tensors: Array<Record<string, unknown>> };
      assert.deepEqual(Object.keys(parsed.tensors[0]!), ['name', 'length', 'indices', 'values', 'shape']);
      assert.deepEqual(parsed.tensors[0]!.shape, [30, 100]);
      assert.equal(readF32(out).length, N);
    });

    it('--state: three invocations equal three in-process steps (frames and residual bit-exact)', async () => {
      const sub = join(dir, 'ef');
      const state = join(dir, 'ef.state');
      const lib = await createCompressor({ method: 'topk', density: 0.01 });
      try {
        for (let s = 0; s < 3; s++) {
          const gs = gradient(N, (SEED + 101 * (s + 1)) >>> 0);
          const file = `${sub}.g${s}.f32`;
          writeF32(file, gs);
          const frame = `${sub}.${s}.sgf`;
          const c = await runCli(runner, ['compress', file, '-o', frame, '--method', 'topk', '--density', '0.01', '--state', state, '--name', 'w']);
          assert.deepEqual([c.code, c.stderr], [0, '']);
          const r = lib.step([['w', gs]]);
          assert.equal(r.step, s);
          assert.deepEqual(readBytes(frame), encodeFrame({ step: s, tensors: [{ ...r.tensors[0]!, method: 'topk' }] }), `step ${s}, ${why}`);
        }
        const restored = await createCompressor({ method: 'topk', density: 0.01 });
        restored.restoreState(readBytes(state));
        assert.equal(restored.stepCount, 3);
        assert.deepEqual(bits(restored.getResidual('w')), bits(lib.getResidual('w')), why);
        assert.deepEqual(readBytes(state), lib.saveState(), 'state bytes equal saveState of the in-process compressor');
        restored.dispose();
      } finally {
        lib.dispose();
      }
    });

    it('--values int8 puts the quantisation error into the residual: r + decoded == acc (f32)', async () => {
      const state = join(dir, 'int8.state');
      const g1 = gradient(N, (SEED ^ 0x5eed) >>> 0);
      const f1 = join(dir, 'int8.g1.f32');
      writeF32(f1, g1);
      const check = await createCompressor({ method: 'topk', density: 0.02 });
      try {
        let prev: Float32Array = new Float32Array(N);
        for (const [s, file] of [[0, input], [1, f1]] as const) {
          const frame = join(dir, `int8.${s}.sgf`);
          const c = await runCli(runner, ['compress', file, '-o', frame, '--method', 'topk', '--density', '0.02', '--values', 'int8', '--state', state, '--name', 'w']);
          assert.equal(c.code, 0, c.stderr);
          const gs = readF32(file);
          const acc = gs.map((x, i) => Math.fround(x + prev[i]!));
          const f = decodeFrame(readBytes(frame));
          assert.equal(f.tensors[0]!.valueCode, 'int8');
          const decoded = densify(f.tensors[0]!);
          check.restoreState(readBytes(state));
          const r = check.getResidual('w');
          let moved = 0;
          for (let i = 0; i < N; i++) {
            assert.equal(Math.fround(r[i]! + decoded[i]!), acc[i], `index ${i}, step ${s}, ${why}`);
            if (decoded[i] !== 0 && r[i] !== 0) moved++;
          }
          assert.ok(moved > 0, `some kept values carry a quantisation error into the residual (${why})`);
          prev = r;
        }
      } finally {
        check.dispose();
      }
    });

    it('--step overrides the counter; the tensor name defaults to the basename; --verbose prints one line', async () => {
      const frame = join(dir, 'step.sgf');
      const c = await runCli(runner, ['compress', input, '-o', frame, '--method', 'topk', '--k', '3', '--step', '7', '--verbose']);
      assert.equal(c.code, 0);
      assert.equal(c.stdout, '');
      assert.match(c.stderr, /^[^\n]+\n$/);
      const f = decodeFrame(readBytes(frame));
      assert.equal(f.step, 7);
      assert.equal(f.tensors[0]!.name, 'grad');
    });

    it('inspect prints codes, bytes, bits per index and ratio; --json is machine-readable', async () => {
      const frame = join(dir, 'inspect.sgf');
      assert.equal((await runCli(runner, ['compress', input, '-o', frame, '--method', 'topk', '--k', '30', '--values', 'f16', '--index', 'rice'])).code, 0);
      const h = await runCli(runner, ['inspect', frame]);
      assert.equal(h.code, 0, h.stderr);
      for (const text of ['step 0', "tensor 'grad'", 'rice', 'f16', 'bits/index', 'smaller than dense f32']) {
        assert.ok(h.stdout.includes(text), `inspect output mentions ${text}:\n${h.stdout}`);
      }
      const j = await runCli(runner, ['inspect', frame, '--json']);
      assert.equal(j.code, 0, j.stderr);
      const s = JSON.parse(j.stdout) as { step: number; totalBytes: number; tensors: Array<{ k: number; indexCode: string; valueCode: string; bitsPerIndex: number; ratioVsDenseF32: number }> };
      assert.equal(s.totalBytes, readBytes(frame).length);
      assert.deepEqual([s.tensors[0]!.k, s.tensors[0]!.indexCode, s.tensors[0]!.valueCode], [30, 'rice', 'f16']);
      assert.ok(s.tensors[0]!.bitsPerIndex > 0 && s.tensors[0]!.ratioVsDenseF32 > 1);
    });

    it('a frame with several tensors decodes to their concatenation in frame order', async () => {
      const frame = join(dir, 'multi.sgf');
      const out = join(dir, 'multi.f32');
      const a = { name: 'a', length: 4, indices: new Uint32Array([1, 3]), values: new Float32Array([1.5, -2]), method: 'topk' as const };
      const b = { name: 'b', length: 3, indices: new Uint32Array([0]), values: new Float32Array([7]), method: 'topk' as const };
      writeFileSync(frame, encodeFrame({ step: 2, tensors: [a, b] }));
      const d = await runCli(runner, ['decode', frame, '-o', out]);
      assert.equal(d.code, 0, d.stderr);
      assert.deepEqual(Array.from(readF32(out)), [0, 1.5, 0, -2, 7, 0, 0]);
    });
  });
}
