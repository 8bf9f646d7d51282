/**
 * Worker faults outside Node: the scenario of ./scenario.ts (a worker exits, throws, is terminated
 * mid-step or hangs past the time limit; shared-memory and copied snapshots) in Deno and in headless
 * Chromium, Firefox ESR and the WebKitGTK MiniBrowser, one run each (dist/faults-env.mjs, one
 * browser launch per browser, pages served cross-origin isolated so that SharedArrayBuffer exists).
 * Every case must report `ok`: the step rejected with a WorkerError, the worker was replaced, and
 * residuals, saved state and the following steps equal the in-thread compressor's to the bit. Deno
 * must also exit by itself once every pool is closed (no terminated worker left running; a
 * separate test, so that a leak and a lost step are told apart).
 *
 * A runtime or browser that cannot be started fails its test with the reason (no silent skip);
 * browsers are the Debian packages of tests/env/browsers/debian.ts, installed when missing (root).
 * Needs `npm run build` (dist/worker.mjs, dist/faults-env.mjs).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from '../browsers/debian.ts';
import { runChromium, runFirefox, runWebKit, type PageResult } from '../browsers/drivers.ts';
import { startServer, type TestServer } from '../browsers/server.ts';
import { faultLabels } from './scenario.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const BUNDLES = ['dist/worker.mjs', 'dist/faults-env.mjs'];
const RUN_MS = 120_000;
const T = { timeout: RUN_MS + 60_000 };

/** What one runtime printed, and how its run ended. */
interface RunLines {
  lines: string[];
  /** Problems outside the lines (exit status, isolation, driver errors). */
  problems: string[];
}

function missingBundles(): string | null {
  const missing = BUNDLES.filter((f) => !existsSync(join(root, f)));
  return missing.length === 0 ? null : `${missing.join(', ')} missing: run \`npm run build\` first`;
}

/** Runs dist/faults-env.mjs in Deno; collects its lines, its exit status and the tail of stderr. */
function runDeno(): Promise<RunLines> {
  const deno = join(root, 'node_modules/.bin/deno');
  if (!existsSync(deno)) return Promise.resolve({ lines: [], problems: ['deno is not installed (node_modules/.bin/deno; npm install)'] });
  return new Promise((resolve) => {
    const child = spawn(deno, ['run', '--allow-read', join(root, 'dist/faults-env.mjs')], {
      cwd: root, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_MS);
    const done = (why: string | null): void => {
      clearTimeout(timer);
      const problems = why === null ? [] : [why];
      resolve({ lines: out.split('\n').filter((l) => l.startsWith('deno ')), problems });
    };
    child.once('error', (e) => done(`cannot start deno: ${e.message}`));
    child.once('close', (code, signal) => {
      if (code === 0) return done(null);
      if (code === 3) return done('deno exited with 3 (its exit watchdog fired)');
      // Deno prints the injected 'exit' faults' uncaught errors on stderr: leave them out.
      const tail = err.split(/\n(?=\S)/).filter((l) => !/injected fault/.test(l)).slice(-3).join(' | ').replace(/\s+/g, ' ');
      done(signal === 'SIGKILL' ? `deno did not finish within ${RUN_MS / 1000} s` : `deno exited with ${code ?? signal}; stderr: ${tail}`);
    });
  });
}

let packages: Error | null | undefined;

/** Runs the page in one browser (one launch). */
async function runBrowser(rt: string, run: (url: string, ms: number) => Promise<PageResult>, server: TestServer): Promise<RunLines> {
  if (packages === undefined) {
    try {
      ensureDebianPackages();
      packages = null;
    } catch (e) {
      packages = e as Error;
    }
  }
  if (packages) return { lines: [], problems: [`${rt}: ${packages.message}`] };
  try {
    const r = await run(`${server.origin}/faults.html?runtime=${rt}`, RUN_MS);
    const problems = r.isolated ? [] : [`${rt}: the page is not cross-origin isolated (COOP/COEP headers ignored?)`];
    if (r.lines.length === 0) problems.push(`${rt}: the page reported nothing; console: ${r.console.slice(-10).join(' | ') || '(empty)'}`);
    return { lines: r.lines, problems };
  } catch (e) {
    return { lines: [], problems: [`${rt}: cannot run the page: ${(e as Error).message}`] };
  }
}

/** Asserts that every case of `rt` reported ok, and nothing else went wrong. */
function assertAllOk(t: TestContext, rt: string, r: RunLines): void {
  for (const l of r.lines) t.diagnostic(l);
  const problems = [...r.problems, ...r.lines.filter((l) => !/^\S+ \S+ \S+ ok /.test(l))];
  for (const label of faultLabels(rt)) {
    if (!r.lines.some((l) => l.startsWith(`${label} `))) problems.push(`${label}: no line`);
  }
  assert.deepEqual(problems, [], `worker faults in ${rt}:\n${problems.join('\n')}\nall lines:\n${r.lines.join('\n') || '(none)'}`);
}

describe('worker faults in Deno and browsers', () => {
  let server: TestServer | undefined;
  before(async () => {
    const page = '<!doctype html><meta charset="utf-8"><title>sparsegrad worker faults</title>' +
      '<script type="module" src="/dist/faults-env.mjs"></script>';
    server = await startServer(root, '/dist/', { '/faults.html': page });
  });
  after(async () => {
    await server?.close();
  });

  let deno: Promise<RunLines> | undefined;
  const denoRun = (): Promise<RunLines> => (deno ??= runDeno());

  it('deno', T, async (t) => {
    const missing = missingBundles();
    assert.equal(missing, null, missing ?? '');
    const r = await denoRun();
    // The exit check is the next test's: here only the cases and whether Deno ran at all.
    assertAllOk(t, 'deno', { lines: r.lines.filter((l) => !l.startsWith('deno exit ')), problems: r.lines.length > 0 ? [] : r.problems });
  });

  it('deno: workers the pool terminated stop, and the process exits by itself', T, async (t) => {
    const missing = missingBundles();
    assert.equal(missing, null, missing ?? '');
    const r = await denoRun();
    const problems = [...r.problems, ...r.lines.filter((l) => l.startsWith('deno exit '))];
    for (const l of problems) t.diagnostic(l);
    assert.deepEqual(problems, [], `deno did not exit cleanly after closing every pool:\n${problems.join('\n')}\n` +
      'If the process stayed alive: a worker that was busy in synchronous code when the pool terminated it (the ' +
      "terminate-* and hang-* cases) is still running, because Deno's Worker.terminate() only asks the worker's event " +
      'loop to stop and does not interrupt running JavaScript (workers/adapters.ts spawnWeb: terminate → w.terminate()).');
  });

  const browsers: Array<[string, (url: string, ms: number) => Promise<PageResult>]> = [
    ['chromium', runChromium], ['firefox', runFirefox], ['webkit', runWebKit],
  ];
  for (const [rt, run] of browsers) {
    it(rt, T, async (t) => {
      const missing = missingBundles();
      assert.equal(missing, null, missing ?? '');
      assertAllOk(t, rt, await runBrowser(rt, run, server!));
    });
  }
});
