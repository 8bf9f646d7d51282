/**
 * The same worker pool in Deno (module workers; the worker script needs read permission):
 *
 *   npm run build && npx deno run --allow-read examples/deno/pool.ts
 */
import { createWorkerPool } from '../../workers/index.ts';

const pool = await createWorkerPool({ options: { method: 'topk', density: 0.01 }, size: 2 });
try {
  const n = 1 << 22;
  // stage(): shared memory where available — each worker reads its part, nothing is copied here.
  const g = pool.stage('w', n);
  for (let step = 0; step < 3; step++) {
    for (let i = 0; i < n; i++) g[i] = Math.sin(i * 0.001 + step);
    const t0 = performance.now();
    const { tensors } = await pool.step({ w: g });
    console.log(`step ${step}: kept ${tensors[0]!.indices.length} of ${n} in ${(performance.now() - t0).toFixed(1)} ms`);
  }
  const r = await pool.getResidual('w');
  console.log(`residual norm ${Math.sqrt(r.reduce((a, v) => a + v * v, 0)).toFixed(3)}`);
} finally {
  await pool.close();
}
