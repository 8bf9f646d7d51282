/**
 * Module-worker entry of the parity test (bundled to dist/parity-worker.mjs): runs the scenario on
 * the in-thread compressor inside a browser worker and posts `{ ok, value }` back.
 */
import { createCompressor } from '../../ts-api/index.ts';
import { runScenario, SCENARIO_OPTIONS } from './scenario.ts';

const post = (m: { ok: boolean; value: string }): void => (self as unknown as { postMessage(m: unknown): void }).postMessage(m);
runScenario(await createCompressor({ ...SCENARIO_OPTIONS, simd: true })).then(
  (value) => post({ ok: true, value }),
  (e: unknown) => post({ ok: false, value: String((e as Error)?.message ?? e) }),
);
