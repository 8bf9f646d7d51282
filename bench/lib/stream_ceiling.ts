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
function pass() {
  s.set(src);
  let sum = 0;
  for (let i = 0; i < n; i++) { const a = s[i] + r[i]; s[i] = a; sum += a; }
  return sum;
}
parentPort.on('message', () => parentPort.postMessage(pass()));
parentPort.postMessage('ready');
`;

interface Team {
  pass(): Promise<unknown>;
  close(): Promise<unknown>;
}

async function team(input: SharedArrayBuffer, n: number, workers: number): Promise<Team> {
  const chunk = Math.ceil(n / workers);
  const ws = Array.from({ length: workers }, (_, w) => new Worker(WORKER, {
    eval: true, workerData: { input, offset: w * chunk, n: Math.max(0, Math.min(chunk, n - w * chunk)) },
  }));
  await Promise.all(ws.map((w) => new Promise((ok) => w.once('message', ok))));
  const pass = () => Promise.all(ws.map((w) => new Promise((ok) => {
    w.once('message', ok);
    w.postMessage(0);
  })));
  for (let i = 0; i < 5; i++) await pass(); // warm-up: the pass is optimised before timing
  return { pass, close: () => Promise.all(ws.map((w) => w.terminate())) };
}

async function medianMs(t: Team, reps: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await t.pass();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/**
 * Median time (ms) of one streaming pass over `n` elements on 1 and on 2 threads: rounds
 * interleave the two, and each reports its best round (the machine is shared).
 */
export async function streamCeilingMs(n: number, reps = 15, rounds = 5): Promise<{ one: number; two: number }> {
  const input = new SharedArrayBuffer(n * 4);
  new Float32Array(input).fill(1);
  const teams = [await team(input, n, 1), await team(input, n, 2)];
  try {
    const best = [Infinity, Infinity];
    for (let round = 0; round < rounds; round++) {
      for (let t = 0; t < 2; t++) best[t] = Math.min(best[t]!, await medianMs(teams[t]!, reps));
    }
    return { one: best[0]!, two: best[1]! };
  } finally {
    for (const t of teams) await t.close();
  }
}
