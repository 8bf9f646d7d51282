/**
 * The memory ceiling of splitting one tensor over workers on this machine: the same streaming work
 * a pool worker does per element — copy its chunk of a shared input into private memory, then one
 * error-feedback pass acc = s + r written over s, with a running sum so nothing is optimised away
 * — but no selection, merge or message beyond start and finish. Its 2-worker / 1-worker ratio is
 * the scaling this machine's memory allows for a memory-bound step; the pool's own ratio can only
 * approach it from below.
 */
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { input, offset, n } = workerData;
const src = new Float32Array(input, offset * 4, n);
const s = new Float32Array(n);
const r = new Float32Array(n).fill(0.5);
parentPort.on('message', () => {
  s.set(src);
  let sum = 0;
  for (let i = 0; i < n; i++) { const a = s[i] + r[i]; s[i] = a; sum += a; }
  parentPort.postMessage(sum);
});
parentPort.postMessage('ready');
`;

/** Median time (ms) of one streaming pass over `n` elements split over `workers` threads, best of `rounds`. */
export async function streamCeilingMs(n: number, workers: number, reps = 15, rounds = 3): Promise<number> {
  const input = new SharedArrayBuffer(n * 4);
  new Float32Array(input).fill(1);
  const chunk = Math.ceil(n / workers);
  const ws = Array.from({ length: workers }, (_, w) => new Worker(WORKER, {
    eval: true, workerData: { input, offset: w * chunk, n: Math.max(0, Math.min(chunk, n - w * chunk)) },
  }));
  try {
    await Promise.all(ws.map((w) => new Promise((ok) => w.once('message', ok))));
    const pass = () => Promise.all(ws.map((w) => new Promise((ok) => {
      w.once('message', ok);
      w.postMessage(0);
    })));
    await pass();
    let best = Infinity;
    for (let round = 0; round < rounds; round++) {
      const t: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        await pass();
        t.push(performance.now() - t0);
      }
      t.sort((a, b) => a - b);
      best = Math.min(best, t[t.length >> 1]!);
    }
    return best;
  } finally {
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
