/**
 * Entry of the worker-fault test in Deno and in browsers (bundled by scripts/build.mjs to
 * dist/faults-env.mjs; driven by tests/env/faults/faults.test.ts). It runs the scenario of
 * ./scenario.ts with the pool's default worker script (dist/worker.mjs, next to the bundle).
 *
 * - Deno (`deno run --allow-read dist/faults-env.mjs`): prints one line per case on stdout. Every
 *   pool is closed by then, so the process must end at once; if it is still alive EXIT_GRACE_MS
 *   later (a terminated worker still running keeps it alive), an unref'd watchdog prints
 *   `deno exit FAIL ...` and exits with status 3.
 * - Browser page (`<script type="module" src="/dist/faults-env.mjs">`, runtime label from
 *   `?runtime=`): publishes `globalThis.__parity = { done, lines, isolated }`, the contract the
 *   drivers of tests/env/browsers/drivers.ts wait for.
 */
import { faultLines } from './scenario.ts';

interface PageState {
  done: boolean;
  lines: string[];
  isolated: boolean;
}

/** How long the Deno process may stay alive after the last pool was closed. */
const EXIT_GRACE_MS = 3000;

const g = globalThis as unknown as {
  Deno?: { exit(code: number): never; unrefTimer(id: number): void };
  crossOriginIsolated?: boolean;
  location?: { search: string };
  document?: { title: string };
};

if (g.Deno !== undefined) {
  const deno = g.Deno;
  await faultLines('deno', (line) => console.log(line));
  const watchdog = setTimeout(() => {
    console.log(`deno exit FAIL the process is still alive ${EXIT_GRACE_MS / 1000} s after every pool was closed ` +
      '(a worker the pool terminated is still running)');
    deno.exit(3);
  }, EXIT_GRACE_MS);
  deno.unrefTimer(watchdog as unknown as number);
} else {
  const state: PageState = { done: false, lines: [], isolated: g.crossOriginIsolated === true };
  (globalThis as unknown as { __parity: PageState }).__parity = state;
  const rt = new URLSearchParams(g.location?.search ?? '').get('runtime') ?? 'browser';
  try {
    await faultLines(rt, (line) => state.lines.push(line));
  } catch (e) {
    state.lines.push(`${rt} ERROR ${(e as Error).message}`);
  }
  state.done = true;
  if (g.document) g.document.title = 'faults done';
}
