/**
 * Helpers of the interop tests (tests/interop/): finding the external tools (Debian's Python with
 * NumPy, gcc, wasm2c) with a clear failure when one is missing, running child processes, temp dirs,
 * and the integer-hash gradients of the C host scenario (interop/c/demo.c).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Debian's interpreter (python3-numpy is installed for it; another python3 may come first on PATH). */
export const PYTHON = process.env.SPARSEGRAD_PYTHON ?? '/usr/bin/python3';
/** The Python decoder's directory. */
export const PY_DECODER_DIR = join(ROOT, 'interop/python');
/** The Python decoder's CLI. */
export const PY_DECODER = join(PY_DECODER_DIR, 'sparsegrad_decode.py');

/**
 * Runs a program to completion (no shell) and returns its result; throws when it cannot start.
 * Python writes no __pycache__ into the tree.
 */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT, env: { ...(opts.env ?? process.env), PYTHONDONTWRITEBYTECODE: '1' }, input: opts.input,
    encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  return r;
}

/** Throws a clear error unless Debian's Python 3 with NumPy is available (never skips). */
export function requirePythonNumpy(): void {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} not found: the Python interop tests need Debian's python3 with NumPy (apt-get install -y python3-numpy)`);
  }
  const r = run(PYTHON, ['-c', 'import numpy, sys; print(numpy.__version__, sys.version_info[:2])']);
  if (r.status !== 0) {
    throw new Error(`${PYTHON} cannot import numpy (apt-get install -y python3-numpy):\n${r.stderr.trim()}`);
  }
}

/** Throws a clear error unless `tool` is on PATH. */
export function requireTool(tool: string, hint: string): void {
  const r = spawnSync('sh', ['-c', `command -v "$0"`, tool], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} not found on PATH (${hint})`);
}

/** A fresh directory under os.tmpdir() and a function that removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `sparsegrad-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Hex SHA-256 of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of a typed array's view (little-endian host). */
export function bytesOf(a: Float32Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** lowbias32 (docs/selection.md, "Counter-based RNG"), on u32. */
export function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The C demo's gradient (interop/c/demo.c): tensor t, step s, element i →
 * (mix(i ^ s·0x9e3779b9 ^ (t+1)·0x85ebca6b) >> 8) · 2^-24 − 0.5, exact in f32.
 */
export function demoGradient(t: number, s: number, n: number): Float32Array {
  const g = new Float32Array(n);
  const salt = (Math.imul(s, 0x9e3779b9) ^ Math.imul(t + 1, 0x85ebca6b)) >>> 0;
  for (let i = 0; i < n; i++) g[i] = (mix((i ^ salt) >>> 0) >>> 8) * 2 ** -24 - 0.5;
  return g;
}
