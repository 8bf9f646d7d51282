// Browser example: the worker pool (dist/workers.mjs, workers from dist/worker.mjs) next to the
// in-thread compressor (dist/sparsegrad.mjs). Same call as in Node and Deno.
import { createCompressor } from '/dist/sparsegrad.mjs';
import { createWorkerPool } from '/dist/workers.mjs';

const log = document.getElementById('log');
const lines = [];
const say = (s) => {
  lines.push(s);
  log.textContent = lines.join('\n');
};

const options = { method: 'topk', density: 0.01, seed: 7 };
const n = 1 << 22;
const pool = await createWorkerPool({ options, size: Math.min(4, navigator.hardwareConcurrency || 2) });
const inThread = await createCompressor(options);
say(`crossOriginIsolated: ${globalThis.crossOriginIsolated}; ${pool.size} workers; snapshots: ${pool.snapshotMode}`);
try {
  const g = pool.stage('w', n);
  for (let step = 0; step < 4; step++) {
    for (let i = 0; i < n; i++) g[i] = Math.sin(i * 0.37 + step) * Math.cos(i * 0.0011);
    const want = inThread.step({ w: g.slice() });
    const t0 = performance.now();
    const got = await pool.step({ w: g });
    const ms = performance.now() - t0;
    const a = got.tensors[0], b = want.tensors[0];
    const same = a.indices.length === b.indices.length && a.indices.every((x, q) => x === b.indices[q] && Object.is(a.values[q], b.values[q]));
    say(`step ${got.step}: kept ${a.indices.length} of ${n} in ${ms.toFixed(1)} ms; equal to in-thread: ${same}`);
  }
} catch (e) {
  say(`error: ${e.message}`);
} finally {
  await pool.close();
  inThread.dispose();
}
globalThis.exampleDone = lines;
