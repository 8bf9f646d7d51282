/**
 * The CLI's error policy, run as a child process: bad input exits 1 with exactly one line
 * `error: <message>` on stderr; bad usage exits 2 with that line plus the `--help` hint; never a
 * stack trace; OUT and STATE untouched when the step fails. Also --help and --version.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readBytes, ROOT, runCli, runners, tempDir, writeF32, type RunResult } from './helpers.ts';

const HINT = "run 'sparsegrad --help' for usage";

/** Asserts exit code 1 and exactly one `error: ...` line matching `pattern`. */
function inputError(r: RunResult, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code 1; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: [^\n]+\n$/, 'exactly one error line');
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

/** Asserts exit code 2, one `error: ...` line matching `pattern`, then the hint line. */
function usageError(r: RunResult, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code 2; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n');
  assert.equal(lines.length, 3, `two lines: ${r.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
  assert.equal(lines[1], HINT);
  assert.equal(lines[2], '');
}

for (const runner of runners()) {
  describe(`sparsegrad CLI errors (${runner.label})`, { concurrency: true }, () => {
    let dir = '';
    let cleanup = (): void => {};
    let good = '';
    before(() => {
      ({ dir, cleanup } = tempDir());
      good = join(dir, 'good.f32');
      writeF32(good, Float32Array.from({ length: 100 }, (_, i) => Math.sin(i)));
    });
    after(() => cleanup());
    const compress = (...extra: string[]): string[] => ['compress', good, '-o', join(dir, 'never.sgf'), ...extra];

    it('--help and -h print the usage on stdout and exit 0; --version prints the version', async () => {
      for (const args of [['--help'], ['-h'], ['compress', '--help']]) {
        const r = await runCli(runner, args);
        assert.deepEqual([r.code, r.stderr], [0, '']);
        assert.match(r.stdout, /^sparsegrad .*\n\nusage:\n {2}sparsegrad compress IN\.f32 -o OUT --method/);
      }
      const v = await runCli(runner, ['--version']);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.deepEqual([v.code, v.stdout, v.stderr], [0, `sparsegrad ${pkg.version}\n`, '']);
    });

    it('input whose length is not a multiple of 4: exit 1', async () => {
      const bad = join(dir, 'bad.f32');
      writeFileSync(bad, new Uint8Array(10));
      inputError(await runCli(runner, ['compress', bad, '-o', join(dir, 'x.sgf'), '--method', 'topk', '--k', '1']), /multiple of 4/);
      assert.ok(!existsSync(join(dir, 'x.sgf')));
    });

    it('NaN in the input: exit 1 with the NonFiniteError message', async () => {
      const nan = join(dir, 'nan.f32');
      writeF32(nan, new Float32Array([1, 2, NaN, 4]));
      inputError(await runCli(runner, ['compress', nan, '-o', join(dir, 'nan.sgf'), '--method', 'topk', '--k', '1']), /NaN at index 2/);
    });

    it('missing input file and missing frame file: exit 1', async () => {
      inputError(await runCli(runner, ['compress', join(dir, 'nope.f32'), '-o', join(dir, 'y'), '--method', 'topk', '--k', '1']), /cannot read input .*ENOENT/);
      inputError(await runCli(runner, ['decode', join(dir, 'nope.sgf'), '--json']), /cannot read frame/);
      inputError(await runCli(runner, ['inspect', join(dir, 'nope.sgf')]), /cannot read frame/);
    });

    it('a corrupted frame byte: decode and inspect exit 1 with the FormatError message', async () => {
      const frame = join(dir, 'c.sgf');
      assert.equal((await runCli(runner, ['compress', good, '-o', frame, '--method', 'topk', '--k', '5'])).code, 0);
      const bytes = readBytes(frame);
      bytes[30] = bytes[30]! ^ 0x40;
      writeFileSync(frame, bytes);
      inputError(await runCli(runner, ['decode', frame, '-o', join(dir, 'c.f32')]), /CRC-32C .*at byte/);
      assert.ok(!existsSync(join(dir, 'c.f32')), 'no output for a bad frame');
      inputError(await runCli(runner, ['inspect', frame]), /CRC-32C/);
      writeFileSync(frame, new Uint8Array([1, 2, 3]));
      inputError(await runCli(runner, ['decode', frame, '--json']), /at byte/);
    });

    it('values wrong whatever the input are usage errors (exit 2): --density 2, --k -1, --seed -1', async () => {
      usageError(await runCli(runner, compress('--method', 'topk', '--density', '2')), /density must be in \(0, 1\], got 2/);
      usageError(await runCli(runner, compress('--method', 'topk', '--density', '0')), /density/);
      usageError(await runCli(runner, compress('--method', 'topk', '--k', '1.5')), /--k/);
      usageError(await runCli(runner, compress('--method', 'threshold', '--threshold', '-1')), /threshold/);
      usageError(await runCli(runner, compress('--method', 'randomk', '--k', '1', '--seed', '-1')), /seed/);
    });

    it('values wrong for this input are bad input (exit 1): --k beyond n, --max-bytes too small', async () => {
      inputError(await runCli(runner, compress('--method', 'topk', '--k', '101')), /k = 101/);
      const frame = join(dir, 'lim.sgf');
      assert.equal((await runCli(runner, ['compress', good, '-o', frame, '--method', 'topk', '--k', '5'])).code, 0);
      inputError(await runCli(runner, ['decode', frame, '--json', '--max-bytes', '10']), /maxBytes/);
      inputError(await runCli(runner, ['decode', frame, '--json', '--max-elements', '4']), /maxElements/);
    });

    it('bad usage exits 2 with the hint', async () => {
      usageError(await runCli(runner, compress('--method', 'topk', '--k', '1', '--bogus')), /unknown option '--bogus'/);
      usageError(await runCli(runner, compress('--method', 'topk', '--k', '1', '--density', '0.1')), /--density or --k, not both/);
      usageError(await runCli(runner, compress('--method', 'topk')), /needs --density or --k/);
      usageError(await runCli(runner, compress('--method', 'topk', '--threshold', '1')), /threshold only/);
      usageError(await runCli(runner, compress('--method', 'threshold', '--threshold', '1', '--k', '2')), /exactly one/);
      usageError(await runCli(runner, compress('--method', 'topk', '--k', 'ten')), /expects a number, got 'ten'/);
      usageError(await runCli(runner, compress('--method', 'topk', '--k')), /needs a value/);
      usageError(await runCli(runner, compress('--method', 'topk', '--k', '1', '--k', '2')), /more than once/);
      usageError(await runCli(runner, compress('--method', 'magic', '--k', '1')), /--method must be one of/);
      usageError(await runCli(runner, compress('--method', 'topk', '--k', '1', '--values', 'f8')), /--values must be one of/);
      usageError(await runCli(runner, compress('--method', 'topk', '--k', '1', '--shape', '10,x')), /--shape/);
      usageError(await runCli(runner, ['compress', good, '--method', 'topk', '--k', '1']), /missing -o/);
      usageError(await runCli(runner, ['compress', '-o', 'x', '--method', 'topk', '--k', '1']), /missing IN/);
      usageError(await runCli(runner, ['decode', 'f.sgf']), /missing -o/);
      usageError(await runCli(runner, ['decode', 'a', 'b', '--json']), /unexpected argument 'b'/);
      usageError(await runCli(runner, ['frobnicate']), /unknown command 'frobnicate'/);
      usageError(await runCli(runner, ['--bogus']), /unknown option '--bogus'/);
      usageError(await runCli(runner, []), /missing command/);
    });

    it('a bad state file: exit 1, output and state untouched', async () => {
      const state = join(dir, 'bad.state');
      const out = join(dir, 'bad-state.sgf');
      writeFileSync(state, new Uint8Array([1, 2, 3, 4, 5]));
      inputError(await runCli(runner, ['compress', good, '-o', out, '--method', 'topk', '--k', '3', '--state', state]), /state/);
      assert.deepEqual(readBytes(state), new Uint8Array([1, 2, 3, 4, 5]));
      assert.ok(!existsSync(out));
    });

    it('the state file is not written when the step fails', async () => {
      const state = join(dir, 'keep.state');
      const ok = join(dir, 'keep.sgf');
      assert.equal((await runCli(runner, ['compress', good, '-o', ok, '--method', 'topk', '--k', '3', '--state', state, '--name', 'w'])).code, 0);
      const before = readBytes(state);
      const nan = join(dir, 'keep-nan.f32');
      writeF32(nan, Float32Array.from({ length: 100 }, (_, i) => (i === 50 ? NaN : i)));
      const out = join(dir, 'keep-fail.sgf');
      inputError(await runCli(runner, ['compress', nan, '-o', out, '--method', 'topk', '--k', '3', '--state', state, '--name', 'w']), /NaN/);
      assert.deepEqual(readBytes(state), before, 'state unchanged');
      assert.ok(!existsSync(out) && !existsSync(`${state}.tmp`), 'no output, no temporary state');
      const fresh = join(dir, 'fresh.state');
      inputError(await runCli(runner, ['compress', nan, '-o', out, '--method', 'topk', '--k', '3', '--state', fresh]), /NaN/);
      assert.ok(!existsSync(fresh), 'no state created by a failed step');
      const wrongLength = join(dir, 'short.f32');
      writeF32(wrongLength, new Float32Array(7));
      inputError(await runCli(runner, ['compress', wrongLength, '-o', out, '--method', 'topk', '--k', '3', '--state', state, '--name', 'w']), /length 7/);
      assert.deepEqual(readBytes(state), before, 'state unchanged after a shape error');
    });

    it('an unwritable output: exit 1, state not written', async () => {
      const state = join(dir, 'unwritable.state');
      inputError(await runCli(runner, ['compress', good, '-o', join(dir, 'no/such/dir/x.sgf'), '--method', 'topk', '--k', '3', '--state', state]), /cannot write output/);
      assert.ok(!existsSync(state));
    });
  });
}
