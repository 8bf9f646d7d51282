/**
 * Compressing a model's gradients on a pool of Node worker_threads.
 *
 *   npm run build && node --import tsx examples/node/pool.ts
 *
 * The pool has the in-thread compressor's API, async: each tensor lives on one worker (large ones
 * are split across all of them), a step runs every worker in parallel, and the results and
 * residuals are exactly the in-thread compressor's.
 */
import { createCompressor, type CompressorOptions } from '../../ts-api/index.ts';
import { createWorkerPool } from '../../workers/index.ts';

const options: CompressorOptions = { method: 'topk', density: 0.01, seed: 1 };
const layers: Record<string, number> = { 'conv1.weight': 1 << 20, 'conv2.weight': 1 << 21, 'fc.weight': 1 << 22, 'fc.bias': 4096 };

function gradient(n: number, seed: number): Float32Array {
  const g = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    g[i] = ((x >>> 0) / 2 ** 32 - 0.5) * 0.1;
  }
  return g;
}

const pool = await createWorkerPool({ options }); // size: the available cores
const inThread = await createCompressor(options);
console.log(`pool of ${pool.size} workers (SIMD ${pool.simd}, snapshots: ${pool.snapshotMode})`);
try {
  for (let step = 0; step < 5; step++) {
    const grads = Object.fromEntries(Object.entries(layers).map(([name, n], j) => [name, gradient(n, step * 10 + j + 1)]));
    const want = inThread.step(grads);
    const t0 = performance.now();
    // transfer: the pool takes the buffers instead of copying them (they are detached afterwards).
    const got = await pool.step(grads, { transfer: true });
    const ms = performance.now() - t0;
    const same = got.tensors.every((t, j) => t.indices.length === want.tensors[j]!.indices.length &&
      t.indices.every((i, q) => i === want.tensors[j]!.indices[q] && Object.is(t.values[q], want.tensors[j]!.values[q])));
    const frame = pool.encode(got);
    console.log(`step ${got.step}: ${ms.toFixed(1)} ms, kept ${got.tensors.map((t) => t.indices.length).join('/')}, ` +
      `frame ${frame.length} bytes, equal to in-thread: ${same}`);
  }
  const saved = await pool.saveState();
  const want = inThread.saveState();
  const same = saved.length === want.length && saved.every((b, i) => b === want[i]);
  console.log(`saved state: ${saved.length} bytes (the in-thread compressor's bytes: ${same})`);
} finally {
  await pool.close();
  inThread.dispose();
}
