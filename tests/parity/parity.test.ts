/**
 * `npm run test:parity` (also part of `npm test`): the golden scenario of tests/parity/scenario.ts in
 * every runtime — Node main thread (SIMD and scalar builds), the Node worker pool, Deno (main thread
 * and pool), headless Chromium, Firefox ESR and the WebKitGTK MiniBrowser (main thread, scalar build,
 * pool, and the scenario inside a module worker). Each prints `<runtime> <sha256 of all frames>
 * <sha256 of final residuals>`; the test fails unless every expected runtime printed a line and all
 * lines agree. A runtime that cannot be started fails the test with its reason (no silent skip).
 * Browsers are Debian packages, installed here when missing (root) — see .ci/run's apt_packages.
 * Needs the bundles of `node scripts/build.mjs` (dist/worker.mjs, dist/parity-*.mjs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from '../env/browsers/debian.ts';
import { runChromium, runFirefox, runWebKit, type PageResult } from '../env/browsers/drivers.ts';
import { startServer } from '../env/browsers/server.ts';
import { runtimeLines } from './lines.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PAGE_MS = 240_000;
const SUFFIXES = ['', '-scalar', '-pool', '-pool-copy'];
const BROWSERS: Array<[string, (url: string, ms: number) => Promise<PageResult>]> = [
  ['chromium', runChromium], ['firefox', runFirefox], ['webkit', runWebKit],
];

/** Every line the test expects, by runtime label. */
export const EXPECTED = [
  ...['node', 'deno'].flatMap((rt) => SUFFIXES.map((s) => rt + s)),
  ...BROWSERS.flatMap(([rt]) => [...SUFFIXES, '-worker'].map((s) => rt + s)),
];

function denoLines(): string[] {
  const deno = join(root, 'node_modules/.bin/deno');
  if (!existsSync(deno)) return ['deno ERROR deno is not installed (npm i -D deno)'];
  const r = spawnSync(deno, ['run', '--allow-read', join(root, 'dist/parity-deno.mjs')], {
    cwd: root, encoding: 'utf8', timeout: 180_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('deno'));
  if (r.status !== 0 || lines.length === 0) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
    lines.push(`deno ERROR ${why}`);
  }
  return lines;
}

async function browserLines(): Promise<string[]> {
  try {
    ensureDebianPackages();
  } catch (e) {
    return BROWSERS.map(([rt]) => `${rt} ERROR ${(e as Error).message}`);
  }
  const page = '<!doctype html><meta charset="utf-8"><title>sparsegrad parity</title>' +
    '<script type="module" src="/dist/parity-browser.mjs"></script>';
  const server = await startServer(root, '/dist/', { '/parity.html': page });
  const lines: string[] = [];
  try {
    for (const [rt, run] of BROWSERS) {
      try {
        const r = await run(`${server.origin}/parity.html?runtime=${rt}`, PAGE_MS);
        if (!r.isolated) lines.push(`${rt} ERROR the page is not cross-origin isolated (COOP/COEP headers ignored?)`);
        lines.push(...r.lines);
      } catch (e) {
        lines.push(`${rt} ERROR cannot run the page: ${(e as Error).message}`);
      }
    }
  } finally {
    await server.close();
  }
  return lines;
}

describe('parity across runtimes', () => {
  it('every runtime prints the same frames and residuals hash', { timeout: 900_000 }, async (t) => {
    for (const f of ['dist/worker.mjs', 'dist/parity-deno.mjs', 'dist/parity-browser.mjs', 'dist/parity-worker.mjs']) {
      assert.ok(existsSync(join(root, f)), `${f} is missing: run \`node scripts/build.mjs\` first`);
    }
    const lines = [...(await runtimeLines('node')), ...denoLines(), ...(await browserLines())];
    for (const l of lines) t.diagnostic(l);
    const byLabel = new Map<string, string>();
    for (const l of lines) byLabel.set(l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1));
    const problems = lines.filter((l) => / ERROR /.test(l));
    for (const label of EXPECTED) if (!byLabel.has(label)) problems.push(`${label}: no line`);
    const hashes = [...new Set([...byLabel.values()].filter((v) => !v.startsWith('ERROR')))];
    if (hashes.length > 1) problems.push(`runtimes disagree: ${hashes.length} different lines`);
    assert.deepEqual(problems, [], `parity failed:\n${problems.join('\n')}\nall lines:\n${lines.join('\n')}`);
  });
});
