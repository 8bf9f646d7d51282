/**
 * The worker-fault scenario, written once for every runtime (runtime-neutral: no Node, Deno or DOM
 * APIs; bundled by scripts/build.mjs into dist/faults-env.mjs for Deno and the browser page). For
 * each snapshot mode (views of the workers' shared memories, coordinator shared slots, transferred copies) and each fault it starts a fresh pool of
 * two workers next to an in-thread compressor fed the same inputs, runs two good steps, injects the
 * fault, and checks that
 *
 *  (a) the step rejects with a WorkerError (code E_WORKER, 'The step was not applied', and the
 *      fault's own words),
 *  (b) the pool replaced the worker (testing.alive() all true),
 *  (c) every residual (getResidual), the step counter and saveState's bytes then equal the
 *      in-thread compressor's to the bit, and so do the results of the same step retried and one
 *      more step, and the final residuals,
 *  (d) the snapshot mode is the one asked for ('memory' and 'shared' must really be shared memory).
 *
 * Each case gives one line: `<runtime> <mode> <case> ok <ms> ms <detail>` or
 * `<runtime> <mode> <case> FAIL <why>`. A case that does not settle within its deadline (a worker
 * death the pool never noticed) reports FAIL instead of hanging the run.
 */
import { createCompressor, type Compressor, type CompressorOptions } from '../../../ts-api/index.ts';
import type { StepResult } from '../../../ts-api/types.ts';
import { createWorkerPool, WorkerError, type FaultSpec, type WorkerCompressor } from '../../../workers/index.ts';
import { scenarioTensor } from '../../parity/scenario.ts';

/** Options of both compressors: per-tensor methods, a global-topk group (one member split) and a hybrid group. */
export const FAULT_OPTIONS: CompressorOptions = {
  method: 'topk', density: 0.02, seed: 424242, globalDensity: 0.01,
  tensors: {
    'fc.bias': { method: 'threshold', threshold: 1.25 },
    'embed.weight': { method: 'randomk', density: 0.05, rescale: true },
    'attn.out': { method: 'threshold', density: 0.03 },
    'g.*': { method: 'global-topk', density: 0.015 },
    'h.*': { method: 'hybrid', density: 0.01 },
  },
};

/** Tensor sizes; those of 20 000+ elements are split across both workers (conv.weight, attn.out, g.a). */
export const FAULT_SIZES: Readonly<Record<string, number>> = {
  'conv.weight': 48_000, 'fc.bias': 3_000, 'embed.weight': 12_000, 'attn.out': 26_000,
  'g.a': 24_000, 'g.b': 6_000, 'h.a': 9_000, 'h.b': 4_000,
};

/** Pool options of every case: two workers, tensors of 20 000+ elements split. */
export const FAULT_POOL = { size: 2, splitAbove: 20_000 } as const;

/** The snapshot modes: label → the pool's `snapshots` option. */
export const FAULT_MODES: ReadonlyArray<readonly [label: 'memory' | 'shared' | 'copy', snapshots: true | 'shared' | 'copy']> = [
  ['memory', true], ['shared', 'shared'], ['copy', 'copy'],
];

/** One fault case: which worker fails, how, and what the WorkerError must say. */
export interface FaultCase {
  /** The case's label in the result lines. */
  name: string;
  /** The worker that fails (the one the WorkerError must name). */
  worker: number;
  /** What the WorkerError message must say besides 'The step was not applied'. */
  match: RegExp;
  /** Pool time limit of the case (ms), if any. */
  timeoutMs?: number;
  /** Arms the fault (before the step). */
  arm?: FaultSpec;
  /** Runs after the step was submitted (the step is in flight). */
  during?: (p: WorkerCompressor) => Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Web workers report an 'exit' as an uncaught error (workers/worker.ts); Node as an exit code. */
const EXITED = /exited with code 1|raised an uncaught error: .*worker exited \(injected fault\)/;

/** The faults of every runtime, in order. */
export const FAULT_CASES: readonly FaultCase[] = [
  { name: 'exit-prepare', worker: 1, arm: { phase: 'prepare', action: 'exit' }, match: EXITED },
  { name: 'exit-finish', worker: 0, arm: { phase: 'finish', action: 'exit' }, match: EXITED },
  { name: 'throw-prepare', worker: 0, arm: { phase: 'prepare', action: 'throw' }, match: /injected fault in prepare/ },
  { name: 'throw-finish', worker: 1, arm: { phase: 'finish', action: 'throw' }, match: /injected fault in finish/ },
  // terminate() from outside while the worker is busy in the step: it spins in prepare / finish (a
  // hang with no time limit), so the step is surely in flight when it is terminated.
  {
    name: 'terminate-prepare', worker: 1, arm: { phase: 'prepare', action: 'hang' },
    match: /phase one \(prepare\): worker 1 (was terminated|exited)/,
    during: async (p) => {
      await sleep(100);
      await p.testing.terminate(1);
    },
  },
  {
    name: 'terminate-finish', worker: 0, arm: { phase: 'finish', action: 'hang' },
    // Phase two normally; phase one only if prepare of these small tensors took over 400 ms (a
    // loaded machine) — either way a worker terminated mid-step.
    match: /(phase two \(commit\)|phase one \(prepare\)): worker 0 (was terminated|exited)/,
    during: async (p) => {
      await sleep(400);
      await p.testing.terminate(0);
    },
  },
  { name: 'hang-prepare', worker: 1, timeoutMs: 1000, arm: { phase: 'prepare', action: 'hang' }, match: /did not answer prepare within 1000 ms/ },
];

/** The labels of every line a runtime must report `ok`: `<runtime> <mode> <case>`. */
export function faultLabels(rt: string): string[] {
  return FAULT_MODES.flatMap(([mode]) => FAULT_CASES.map((c) => `${rt} ${mode} ${c.name}`));
}

function stepInput(s: number): Record<string, Float32Array> {
  const input: Record<string, Float32Array> = {};
  Object.entries(FAULT_SIZES).forEach(([name, n], j) => (input[name] = scenarioTensor(n, 7000 + s * 100 + j)));
  return input;
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** The first difference of two u32 arrays, or null. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length}, expected ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `at ${i}: ${a[i]}, expected ${b[i]}`;
  return null;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** Throws unless two step results are identical to the bit. */
function sameResult(got: StepResult, want: StepResult, what: string): void {
  check(got.step === want.step, `${what}: step ${got.step}, expected ${want.step}`);
  check(got.tensors.length === want.tensors.length, `${what}: ${got.tensors.length} tensors, expected ${want.tensors.length}`);
  want.tensors.forEach((w, j) => {
    const g = got.tensors[j]!;
    const at = `${what}, tensor '${w.name}'`;
    check(g.name === w.name && g.length === w.length && g.method === w.method, `${at}: name/length/method ${g.name}/${g.length}/${g.method}`);
    const d = firstDiff(g.indices, w.indices) ?? firstDiff(bits(g.values), bits(w.values));
    check(d === null, `${at}: indices or value bits differ (${d})`);
  });
}

/** Throws unless every residual, the step counter and the saved state equal the in-thread compressor's. */
async function sameState(p: WorkerCompressor, ref: Compressor, what: string): Promise<void> {
  check(p.tensorNames().join() === ref.tensorNames().join(), `${what}: tensor names ${p.tensorNames().join()}`);
  check(p.stepCount === ref.stepCount, `${what}: step counter ${p.stepCount}, expected ${ref.stepCount}`);
  for (const name of ref.tensorNames()) {
    const d = firstDiff(bits(await p.getResidual(name)), bits(ref.getResidual(name)));
    check(d === null, `${what}: residual of '${name}' differs (${d})`);
  }
  const d = firstDiff(await p.saveState(), ref.saveState());
  check(d === null, `${what}: saveState bytes differ (${d})`);
}

/** Rejects after `ms` unless `p` settled (a death the pool never noticed would hang forever). */
function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms))),
  ]);
}

/** Runs one case on a fresh pool; returns a detail for the ok line, throws with the first problem. */
async function runCase(c: FaultCase, snapshots: true | 'shared' | 'copy', mode: string): Promise<string> {
  const ref = await createCompressor(FAULT_OPTIONS);
  const p = await createWorkerPool({ ...FAULT_POOL, options: FAULT_OPTIONS, snapshots, timeoutMs: c.timeoutMs });
  try {
    check(p.snapshotMode === mode, `snapshotMode is '${p.snapshotMode}', expected '${mode}'`);
    for (let s = 0; s < 2; s++) sameResult(await p.step(stepInput(s)), ref.step(stepInput(s)), `step ${s}`);
    check(p.testing.workersOf('conv.weight').join() === '0,1', `conv.weight is on workers ${p.testing.workersOf('conv.weight').join()}, not split`);
    if (c.arm) await p.testing.fault(c.worker, c.arm);
    const failing = p.step(stepInput(2)).then(
      (r) => `resolved with step ${r.step}`,
      (e: unknown) => e,
    );
    if (c.during) await c.during(p);
    const e = await deadline(failing, 15_000, 'the failing step');
    if (!(e instanceof WorkerError)) throw new Error(`the step should reject with a WorkerError, got: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    check(e.code === 'E_WORKER', `WorkerError code ${e.code}, expected E_WORKER`);
    check(/The step was not applied/.test(e.message), `message lacks 'The step was not applied': ${e.message}`);
    check(c.match.test(e.message), `message does not match ${c.match}: ${e.message}`);
    check(e.worker === c.worker, `WorkerError.worker ${e.worker}, expected ${c.worker}`);
    check(p.testing.alive().every(Boolean), `not every worker is alive after the failed step: ${p.testing.alive().join()}`);
    await sameState(p, ref, 'after the failed step');
    for (let s = 2; s < 4; s++) sameResult(await p.step(stepInput(s)), ref.step(stepInput(s)), `step ${s} after recovery`);
    await sameState(p, ref, 'end');
    return e.message;
  } finally {
    ref.dispose();
    await deadline(p.close(), 10_000, 'close()').catch(() => {});
  }
}

/** Runs every case in both snapshot modes on runtime `rt`; one line each, never throws. */
export async function faultLines(rt: string, log: (line: string) => void = () => {}): Promise<string[]> {
  const lines: string[] = [];
  for (const [mode, snapshots] of FAULT_MODES) {
    for (const c of FAULT_CASES) {
      const t0 = Date.now();
      let line: string;
      try {
        const detail = await deadline(runCase(c, snapshots, mode), 45_000, 'the case');
        line = `${rt} ${mode} ${c.name} ok ${Date.now() - t0} ms (${detail.replace(/\s+/g, ' ').slice(0, 240)})`;
      } catch (e) {
        line = `${rt} ${mode} ${c.name} FAIL ${String((e as Error)?.message ?? e).replace(/\s+/g, ' ')}`;
      }
      lines.push(line);
      log(line);
    }
  }
  return lines;
}
