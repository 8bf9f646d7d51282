/**
 * Question: how well does the worker pool scale, and what does the worker hop cost?
 *
 * Cases (top-k, density 1%, error feedback, normal data):
 * - `model`: a whole-model update (16 tensors: 4 × 2M, 4 × 1M, 8 × 256K elements = 14M);
 * - `16M`: one 16M-element tensor (split into one chunk per worker, exact merge);
 * - `hop`: one small tensor (4K and 256K elements), where the hop itself dominates.
 * Rows: the in-thread compressor (input staged in Wasm memory: no copy), and the worker pool with
 * 1 and 2 workers (input staged before every step: whole tensors straight into the owning worker's
 * shared Wasm memory, no copy; chunks of a split tensor in a shared array each worker copies its
 * part from), with committed-state snapshots (the default: views of each worker's shared Wasm memory,
 * no copy), with the two-slot shared snapshots (`slot snapshots`: one more copy per element per
 * step), and without. Ratios: `pool 2 / pool 1` (scaling; target ≥ 1.8× on 2 cores) and `pool 1 / in-thread`
 * (the hop's overhead). Every configuration is checked once against the in-thread result.
 *
 * Reference row `memory ceiling`: the streaming part of a split step alone (bench/lib/stream_ceiling.ts)
 * on 1 and 2 threads — the scaling this machine's memory allows a memory-bound step.
 *
 * Timed region: one awaited `step` (refilling the staged input is outside it). The machine is
 * shared, so the rows run in interleaved rounds and each row reports its best round (the median of
 * that round); all samples are in the JSON.
 *
 * Run: `npm run bench -- --only workers` or `node --import tsx bench/workers.bench.ts [--quick]`.
 * npm run bench builds only the Wasm, so this question builds dist/worker.mjs itself (esbuild).
 */
import { build } from 'esbuild';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createCompressor, type Compressor, type CompressorOptions } from '../ts-api/index.ts';
import type { StepResult } from '../ts-api/types.ts';
import { createWorkerPool, type WorkerCompressor } from '../workers/index.ts';
import type { BenchArgs } from './lib/args.ts';
import { formatSize, rowSelected, runIfMain } from './lib/args.ts';
import { normalF32 } from './lib/data.ts';
import { describeRun, printTable, type Row, writeResults } from './lib/results.ts';
import { streamCeilingMs } from './lib/stream_ceiling.ts';
import { collectGarbage, quickTiming, type Timing, timeAsync, type TimingOptions } from './lib/timing.ts';

/** Question name (results file prefix). */
export const question = 'workers';
/** One-line statement of the question. */
export const title = 'How well does the worker pool scale, and what does the worker hop cost?';

const M = 2 ** 20;
const K = 2 ** 10;
const TARGET_SCALING = 1.8;
const OPTIONS: CompressorOptions = { method: 'topk', density: 0.01 };

/** dist/worker.mjs from the current sources (as scripts/build.mjs makes it). */
async function buildWorker(): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('../workers/worker.ts', import.meta.url))],
    outfile: fileURLToPath(new URL('../dist/worker.mjs', import.meta.url)), bundle: true, format: 'esm', target: 'es2022',
    platform: 'neutral', mainFields: ['module', 'main'], external: ['node:*'], logLevel: 'warning',
  });
}

interface Runner {
  row: string;
  workers: number;
  snapshots: boolean | 'shared' | null;
  /** Pool rows: the phase times of the last step (prepare / merge / commit, ms). */
  phases?: () => string;
  stage(): void;
  step(): Promise<StepResult>;
  close(): Promise<void>;
}

function sameResult(a: StepResult, b: StepResult): boolean {
  return a.tensors.every((t, j) => {
    const u = b.tensors[j]!;
    if (t.indices.length !== u.indices.length) return false;
    for (let i = 0; i < t.indices.length; i++) if (t.indices[i] !== u.indices[i] || !Object.is(t.values[i], u.values[i])) return false;
    return true;
  });
}

async function inThread(model: Record<string, Float32Array>): Promise<Runner> {
  const c: Compressor = await createCompressor({ ...OPTIONS, simd: true });
  const names = Object.keys(model);
  let staged: Record<string, Float32Array> = {};
  return {
    row: 'in-thread', workers: 0, snapshots: null,
    stage: () => {
      for (const n of names) c.stage(n, model[n]!.length); // registers (memory may grow: views detach)
      staged = Object.fromEntries(names.map((n) => [n, c.stage(n, model[n]!.length)]));
      for (const n of names) staged[n]!.set(model[n]!);
    },
    step: async () => c.step(staged),
    close: async () => c.dispose(),
  };
}

async function pooled(model: Record<string, Float32Array>, size: number, snapshots: boolean | 'shared'): Promise<Runner> {
  const p: WorkerCompressor = await createWorkerPool({ options: { ...OPTIONS, simd: true }, size, snapshots });
  const names = Object.keys(model);
  let staged: Record<string, Float32Array> = {};
  return {
    row: `pool ${size}${snapshots === 'shared' ? ' (slot snapshots)' : snapshots ? '' : ' (no snapshots)'}`, workers: size, snapshots,
    stage: () => {
      // As with the in-thread compressor: stage before every step (a view of the owning worker's
      // input buffer where its memory is shared and the tensor is whole, else a shared array).
      staged = Object.fromEntries(names.map((n) => [n, p.stage(n, model[n]!.length)]));
      for (const n of names) staged[n]!.set(model[n]!);
    },
    step: () => p.step(staged),
    close: () => p.close(),
    phases: () => {
      const t = p.testing.lastStep();
      return [t.prepareMs, t.mergeMs, t.commitMs].map((x) => x.toFixed(1)).join(' / ');
    },
  };
}

/** Times every runner in interleaved rounds; returns one row per runner (its best round). */
async function measure(caseName: string, model: Record<string, Float32Array>, runners: Runner[], args: BenchArgs): Promise<Row[]> {
  const timing: TimingOptions = args.quick ? quickTiming : { warmup: 2, minReps: 5, maxReps: 25, budgetMs: 1200 };
  const rounds = args.quick ? 1 : 3;
  const elements = Object.values(model).reduce((a, t) => a + t.length, 0);
  // Correctness: the first step of every runner equals the in-thread one.
  const first = new Map<Runner, StepResult>();
  for (const r of runners) {
    r.stage();
    first.set(r, await r.step());
  }
  const ref = first.get(runners[0]!)!;
  const best = new Map<Runner, Timing>();
  const all = new Map<Runner, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const r of runners) {
      const t = await timeAsync(async () => void (await r.step()), timing, () => r.stage());
      all.set(r, [...(all.get(r) ?? []), ...t.samplesMs]);
      if (!best.has(r) || t.medianMs < best.get(r)!.medianMs) best.set(r, t);
      collectGarbage();
    }
  }
  const inThread = best.get(runners[0]!)!.medianMs;
  const pool1 = runners.find((r) => r.workers === 1 && r.snapshots === true);
  return runners.map((r) => {
    const t = best.get(r)!;
    const base = r.workers === 2 ? runners.find((x) => x.workers === 1 && x.snapshots === r.snapshots) : undefined;
    return {
      case: caseName, row: r.row, workers: r.workers, snapshots: r.snapshots, elements,
      medianMs: t.medianMs, minMs: t.minMs, p90Ms: t.p90Ms, reps: t.reps,
      melemPerS: elements / (t.medianMs * 1e3),
      scaling: base ? best.get(base)!.medianMs / t.medianMs : null,
      vsInThread: t.medianMs / inThread,
      hopMs: r === pool1 ? t.medianMs - inThread : null,
      phasesMs: r.phases ? r.phases() : null,
      check: sameResult(first.get(r)!, ref) ? 'ok' : 'FAIL: differs from in-thread',
      samplesMs: all.get(r)!,
    };
  });
}

async function runCase(caseName: string, model: Record<string, Float32Array>, args: BenchArgs, sizes: number[]): Promise<Row[]> {
  const runners: Runner[] = [await inThread(model)];
  for (const size of sizes) {
    for (const snapshots of [true, 'shared', false] as const) {
      const r = await pooled(model, size, snapshots);
      if (rowSelected(args, r.row) || r.row === 'pool 1') runners.push(r);
      else await r.close();
    }
  }
  try {
    return await measure(caseName, model, runners, args);
  } finally {
    for (const r of runners) await r.close();
  }
}

async function main(args: BenchArgs): Promise<void> {
  console.log(`=== ${question}: ${title} ===\n${describeRun()}`);
  await buildWorker();
  const big = args.ns?.[0] ?? (args.quick ? M : 16 * M);
  const scale = args.quick ? 1 / 8 : 1;
  const seed = args.seed;
  const layer = (n: number, j: number): Float32Array => normalF32(Math.max(1024, Math.round(n * scale)), seed + j);
  const model: Record<string, Float32Array> = {};
  for (let j = 0; j < 16; j++) model[`layer${j}.weight`] = layer(j < 4 ? 2 * M : j < 8 ? M : 256 * K, j);
  const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const notes = [
    `seed ${seed}`, `options ${JSON.stringify(OPTIONS)}`, 'best of interleaved rounds (median per round)',
    `load average at start ${load()} (the machine is shared: scaling needs both cores free)`,
  ];
  const rows: Row[] = [];
  rows.push(...(await runCase('model', model, args, [1, 2])));
  // The machine's ceiling for a memory-bound split, measured just before and just after the split case.
  const ceiling = async (when: string): Promise<Row[]> => {
    const { one, two } = await streamCeilingMs(big, args.quick ? 5 : 15, args.quick ? 1 : 5);
    return [{ w: 1, ms: one }, { w: 2, ms: two }].map((c) => ({
      case: formatSize(big), row: `memory ceiling ${when} (copy + EF pass only)`, workers: c.w, snapshots: null, elements: big,
      medianMs: c.ms, melemPerS: big / (c.ms * 1e3), scaling: c.w === 2 ? one / two : null,
      vsInThread: null, hopMs: null, phasesMs: null, check: 'ok', ceiling: true,
    }));
  };
  rows.push(...(await ceiling('before')));
  rows.push(...(await runCase(formatSize(big), { w: normalF32(big, seed + 100) }, args, [1, 2])));
  rows.push(...(await ceiling('after')));
  for (const n of [4 * K, 256 * K]) rows.push(...(await runCase(`hop ${formatSize(n)}`, { w: normalF32(n, seed + n) }, args, [1])));
  notes.push(`load average at end ${load()}`);
  console.log(notes.slice(-2).join('\n'));
  const ratio = (v: unknown): string => (typeof v === 'number' ? `${v.toFixed(2)}x` : '-');
  printTable(rows, [
    { key: 'case' }, { key: 'row' }, { key: 'medianMs', header: 'median ms' }, { key: 'p90Ms', header: 'p90 ms' },
    { key: 'melemPerS', header: 'Melem/s' }, { key: 'scaling', header: 'pool 2 / pool 1', format: ratio },
    { key: 'vsInThread', header: 'vs in-thread', format: ratio },
    { key: 'hopMs', header: 'hop ms', format: (v) => (typeof v === 'number' ? v.toFixed(3) : '-') },
    { key: 'phasesMs', header: 'last step: prepare / merge / commit ms' }, { key: 'check' },
  ]);
  const targets: Row[] = rows.filter((r) => r.workers === 2).map((r) => ({
    target: `pool 2 ≥ ${TARGET_SCALING}x pool 1 (2 cores)`, case: `${r.case} ${r.row}`,
    measured: ratio(r.scaling),
    result: r.ceiling === true ? 'reference: the machine allows this much' : (r.scaling as number) >= TARGET_SCALING ? 'PASS' : 'MISS',
  }));
  console.log(`\n=== ${question}: targets (printed, not asserted) ===`);
  printTable(targets, [{ key: 'target' }, { key: 'case' }, { key: 'measured' }, { key: 'result' }]);
  const file = writeResults(question, title, args, rows, notes, targets);
  console.log(`\nresults written to ${file}`);
  if (rows.some((r) => typeof r.check === 'string' && r.check.startsWith('FAIL'))) {
    console.error('a row FAILED its correctness check (see check)');
    process.exitCode = 1;
  }
}

runIfMain(import.meta.url, main);
