/**
 * Browser page entry of the parity test (bundled to dist/parity-browser.mjs, loaded by the page the
 * test server makes): runs the runtime lines, then the scenario inside a module worker
 * (dist/parity-worker.mjs), and publishes `globalThis.__parity = { done, lines }` for the driver.
 */
import { parityLine, runtimeLines } from './lines.ts';

interface ParityState {
  done: boolean;
  lines: string[];
  isolated: boolean;
}

const state: ParityState = { done: false, lines: [], isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
(globalThis as unknown as { __parity: ParityState }).__parity = state;
const rt = new URLSearchParams(location.search).get('runtime') ?? 'browser';

function inWorker(): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./parity-worker.mjs', import.meta.url), { type: 'module' });
    const timer = setTimeout(() => reject(new Error('module worker did not answer within 120 s')), 120_000);
    w.onmessage = (ev: MessageEvent<{ ok: boolean; value: string }>) => {
      clearTimeout(timer);
      w.terminate();
      if (ev.data.ok) resolve(ev.data.value);
      else reject(new Error(ev.data.value));
    };
    w.onerror = (ev) => {
      clearTimeout(timer);
      ev.preventDefault();
      reject(new Error(`module worker failed: ${ev.message}`));
    };
  });
}

try {
  state.lines.push(...(await runtimeLines(rt)));
  state.lines.push(await parityLine(`${rt}-worker`, inWorker));
} catch (e) {
  state.lines.push(`${rt} ERROR ${(e as Error).message}`);
}
state.done = true;
document.title = 'parity done';
