/**
 * Helpers of the CLI tests: the ways to launch `sparsegrad` as a child process, temp dirs, raw
 * float32 files and seeded data.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from '../../examples/federated/prng.ts';

/** Repository root (the CLI runs with it as working directory, so `--import tsx` resolves). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** One way of launching the CLI: the program and the arguments before the CLI's own. */
export interface Runner {
  label: string;
  argv: string[];
}

/**
 * The runners to test: the TypeScript source through tsx, the bundle dist/cli.mjs when it exists,
 * and a bundle named by the SPARSEGRAD_CLI environment variable when set.
 */
export function runners(): Runner[] {
  const list: Runner[] = [{ label: 'tsx cli/main.ts', argv: ['--import', 'tsx', join(ROOT, 'cli/main.ts')] }];
  const dist = join(ROOT, 'dist/cli.mjs');
  if (existsSync(dist)) list.push({ label: 'dist/cli.mjs', argv: [dist] });
  const extra = process.env.SPARSEGRAD_CLI;
  if (extra) list.push({ label: extra, argv: [resolve(extra)] });
  return list;
}

/** What one CLI run produced. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args` and collects its exit code and output. */
export function runCli(runner: Runner, args: readonly string[]): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...runner.argv, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A fresh directory under os.tmpdir() and a function that removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sparsegrad-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes raw little-endian float32 (the tests run on little-endian hosts). */
export function writeF32(path: string, values: Float32Array): void {
  writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Reads raw little-endian float32. */
export function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

/** Reads a file as a Uint8Array. */
export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

export { rng };

/** n seeded f32 values, roughly normal with heavy tails (products of uniforms). */
export function gradient(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = (r() - 0.5) * r() * r() * 8;
  return g;
}

/** The bit patterns of f32 values (for bit-exact comparison, -0 and NaN included). */
export function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** Seed of the seeded tests: SPARSEGRAD_TEST_SEED or a fresh one, printed on failure by the tests. */
export const SEED = process.env.SPARSEGRAD_TEST_SEED !== undefined
  ? Number(process.env.SPARSEGRAD_TEST_SEED)
  : Math.floor(Math.random() * 2 ** 32);
