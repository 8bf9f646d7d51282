/**
 * The parity lines of one runtime: the scenario on the in-thread compressor (SIMD build), on the
 * scalar build, and on a worker pool (two workers, large tensors split), with its committed-state
 * snapshots in shared memory (`-pool`, where available) and as transferred copies (`-pool-copy`). Runtime-neutral; used by
 * the Node test itself and by the Deno and browser bundles (dist/parity-*.mjs).
 */
import { createCompressor } from '../../ts-api/index.ts';
import { createWorkerPool } from '../../workers/index.ts';
import { runScenario, SCENARIO_OPTIONS, SCENARIO_POOL } from './scenario.ts';

/** One line per run; a run that fails gives `<label> ERROR <message>`. */
export async function parityLine(label: string, run: () => Promise<string>): Promise<string> {
  try {
    return `${label} ${await run()}`;
  } catch (e) {
    const err = e as Error;
    return `${label} ERROR ${String(err?.message ?? e).replace(/\s+/g, ' ')}`;
  }
}

/** The in-thread lines (SIMD and scalar) and the worker-pool line of runtime `rt`. */
export async function runtimeLines(rt: string, workerUrl?: string | URL): Promise<string[]> {
  const lines = [
    await parityLine(rt, async () => runScenario(await createCompressor({ ...SCENARIO_OPTIONS, simd: true }))),
    await parityLine(`${rt}-scalar`, async () => runScenario(await createCompressor({ ...SCENARIO_OPTIONS, simd: false }))),
  ];
  for (const [suffix, snapshots] of [['pool', true], ['pool-copy', 'copy']] as const) {
    lines.push(await parityLine(`${rt}-${suffix}`, async () => {
      const pool = await createWorkerPool({
        ...SCENARIO_POOL, options: { ...SCENARIO_OPTIONS, simd: true }, workerUrl, snapshots, timeoutMs: 60_000,
      });
      try {
        return await runScenario(pool);
      } finally {
        await pool.close();
      }
    }));
  }
  return lines;
}
