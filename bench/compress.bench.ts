/**
 * Question: how fast is selection + error feedback?
 *
 * For n ∈ {2^20, 2^22, 2^24}, density 1% and 0.1%, normal and heavy-tailed data, times one
 * compressor step (`c.step`, error feedback on) of each selection method, and, in the same run,
 * the baselines it is judged against: the EF floor (one Wasm SIMD pass `r = g + r`, the 12 bytes
 * per element any top-k + EF must move), plain-JS sort top-k (1M only), plain-JS quickselect top-k
 * and `tf.topk(tf.abs(x))` on the tfjs wasm backend. Prints medians, ratios to the EF floor and to
 * tf.topk, the Wasm memory each compressor needed, and the targets as PASS/MISS; writes
 * bench/results/compress-<date>-<commit>.json.
 *
 * Timed region: only `c.step(...)` (resp. `core.efFloor`, the baseline call). Each step consumes
 * the staged input, so the staged view (resp. g) is refilled from the data before every
 * repetition, outside the timed region.
 *
 * Run: `npm run bench` (all questions) or `node --import tsx bench/compress.bench.ts [--quick]`.
 */
import { buildHash, createCompressor, kFromDensity, loadCore } from '../ts-api/index.ts';
import { jsQuickselectTopk } from './baselines/js_quickselect_topk.ts';
import { jsSortTopk } from './baselines/js_sort_topk.ts';
import { describeTfjs, initTfjsWasm, tfjsTopk } from './baselines/tfjs_topk.ts';
import type { TopkSelection } from './baselines/types.ts';
import type { BenchArgs } from './lib/args.ts';
import { formatSize, rowSelected, runIfMain } from './lib/args.ts';
import { type DataKind, makeDataset } from './lib/data.ts';
import { type Cell, type Column, describeRun, noteLog, printTable, type Row, writeResults } from './lib/results.ts';
import { collectGarbage, defaultTiming, quickTiming, slowTiming, type Timing, type TimingOptions, timeAsync, timeSync } from './lib/timing.ts';

/** Question name (results file prefix). */
export const question = 'compress';
/** One-line statement of the question. */
export const title = 'How fast is selection + error feedback?';

const M = 2 ** 20;
/** Largest n the O(n log n) plain-JS sort baseline runs at. */
const SORT_MAX_N = M;
/** Targets (printed as PASS/MISS, never asserted). */
const TARGET_N = 16 * M;
const TARGET_FLOOR_RATIO = 1.5;
const TARGET_TF_SPEEDUP = 10;

type SgMethod = 'topk' | 'approx-topk' | 'threshold' | 'randomk';
const SG_ROWS: Array<[string, SgMethod]> = [
  ['topk + EF', 'topk'],
  ['approx-topk + EF', 'approx-topk'],
  ['threshold + EF', 'threshold'],
  ['randomk + EF', 'randomk'],
];
const FLOOR = 'EF floor (r=g+r)';
const SORT = 'js sort top-k';
const QSEL = 'js quickselect top-k';
const TF = 'tf.topk wasm';

/** Fraction of `exact`'s indices present in `got` (both ascending). */
function recall(exact: Uint32Array, got: Uint32Array): number {
  let i = 0;
  let j = 0;
  let hit = 0;
  while (i < exact.length && j < got.length) {
    if (exact[i]! === got[j]!) (hit++, i++, j++);
    else if (exact[i]! < got[j]!) i++;
    else j++;
  }
  return exact.length === 0 ? 1 : hit / exact.length;
}

function sameSelection(a: TopkSelection, indices: Uint32Array, values: Float32Array): boolean {
  if (a.indices.length !== indices.length) return false;
  for (let j = 0; j < indices.length; j++) if (a.indices[j] !== indices[j] || !Object.is(a.values[j], values[j])) return false;
  return true;
}

/** tf.topk's values (magnitudes, descending) equal the exact selection's magnitudes as a multiset. */
function sameMagnitudes(exactValues: Float32Array, tfValues: Float32Array): boolean {
  if (exactValues.length !== tfValues.length) return false;
  const m = exactValues.map(Math.abs).sort().reverse();
  return m.every((v, j) => v === tfValues[j]);
}

function timingCells(t: Timing): Row {
  return { medianMs: t.medianMs, minMs: t.minMs, p90Ms: t.p90Ms, reps: t.reps, samplesMs: t.samplesMs };
}

const pct = (d: number): string => `${+(d * 100).toPrecision(3)}%`;
const mib = (v: Cell | number[] | undefined): string => (typeof v === 'number' ? (v / 2 ** 20).toFixed(1) : '-');
const ratio = (v: Cell | number[] | undefined): string => (typeof v === 'number' ? `${v.toFixed(2)}x` : '-');

const CASE_COLUMNS: Column[] = [
  { key: 'row' },
  { key: 'medianMs', header: 'median ms' },
  { key: 'minMs', header: 'min ms' },
  { key: 'p90Ms', header: 'p90 ms' },
  { key: 'reps' },
  { key: 'kept' },
  { key: 'recall', header: 'recall', format: (v) => (typeof v === 'number' ? v.toFixed(4) : '-') },
  { key: 'xFloor', header: '÷ EF floor', format: ratio },
  { key: 'tfSpeedup', header: 'tf.topk ÷ row', format: ratio },
  { key: 'gbps', header: 'GB/s @12B/el' },
  { key: 'wasmMemBytes', header: 'wasm MiB', format: mib },
  { key: 'memX8n', header: 'mem ÷ 8n', format: ratio },
  { key: 'check' },
];

/** Run the question with the parsed command line. */
export async function run(args: BenchArgs): Promise<void> {
  const ns = args.ns ?? (args.quick ? [M] : [M, 4 * M, 16 * M]);
  const densities = args.densities ?? [0.01, 0.001];
  const kinds: DataKind[] = ['normal', 'heavy'];
  const fast: TimingOptions = args.quick ? quickTiming : defaultTiming;
  const slow: TimingOptions = args.quick ? quickTiming : slowTiming;
  const { notes, note } = noteLog();

  console.log(`\n=== ${question}: ${title} ===`);
  console.log(describeRun());
  const tfInfo = await initTfjsWasm();
  note(describeTfjs(tfInfo));
  const core = await loadCore({ simd: true });
  if (!core.simd) throw new Error('the EF floor must run on the SIMD build of the core');
  note(`sparsegrad core: SIMD build (compressors created with simd: true), build hash ${buildHash.slice(0, 16)}…`);
  const maxN = Math.max(...ns);
  const g = core.allocF32(maxN);
  const r = core.allocF32(maxN);
  note(`timing: only the measured call is timed; inputs are refilled before each repetition outside it. fast rows ${JSON.stringify(fast)}, slow rows ${JSON.stringify(slow)}`);
  note('sparsegrad rows and the EF floor: before every repetition (untimed) the residual is zeroed and the input refilled from the data, so every timed step sees acc = g + 0 and keeps about density·n (no drift from accumulated residuals)');
  note('js sort / js quickselect / tf.topk baselines select only (no error feedback); sparsegrad rows include it');
  note("check: sparsegrad rows are verified on their first step (zero residual) — topk equals the exact selection, threshold keeps every |x| ≥ t, randomk keeps k, approx-topk reports recall of the exact top-k; js quickselect is the reference; js sort and tf.topk (magnitude multiset) are checked against it at every n");
  if (ns.some((n) => n > SORT_MAX_N)) note(`${SORT} runs only at n ≤ ${formatSize(SORT_MAX_N)}: skipped at larger n (too slow: O(n log n) comparator sort, ~0.35 s already at 1M)`);
  note('memory = compressor memoryBytes() after its timed steps minus before stage(); ÷ 8n compares it with the 8 bytes/element that input + residual need');

  const rows: Row[] = [];
  let failures = 0;
  for (const n of ns) {
    for (const kind of kinds) {
      const ds = makeDataset(kind, n, args.seed);
      const data = ds.data;
      for (const density of densities) {
        const k = kFromDensity(density, n);
        const base: Row = { n, nLabel: formatSize(n), density, k, data: kind, seed: ds.seed };
        // Exact reference and threshold, computed once, outside every timed region.
        const exact = jsQuickselectTopk(data, k);
        let thr = Infinity;
        for (let j = 0; j < k; j++) thr = Math.min(thr, Math.abs(exact.values[j]!));
        let nAtThr = 0;
        for (let i = 0; i < n; i++) if (Math.abs(data[i]!) >= thr) nAtThr++;
        console.log(`\n--- n=${formatSize(n)} (${n}) density=${pct(density)} k=${k} data=${kind} seed=${ds.seed}; threshold=${thr} keeps ${nAtThr} on the first step ---`);
        const caseRows: Row[] = [];
        const add = (row: Row): void => {
          const full = { ...base, ...row };
          caseRows.push(full);
          rows.push(full);
        };

        // EF floor: r = g + r over n elements, SIMD; r zeroed and g refilled outside the timed region.
        const tFloor = timeSync(() => core.efFloor(g.ptr, r.ptr, n), fast, () => {
          r.view().fill(0, 0, n);
          g.view().set(data);
        });
        add({ row: FLOOR, kind: 'baseline', ...timingCells(tFloor), kept: null, wasmMemBytes: null, memX8n: null, check: null });

        // sparsegrad compressors.
        for (const [name, method] of SG_ROWS) {
          if (!rowSelected(args, name)) continue;
          const c = await createCompressor(
            method === 'threshold'
              ? { method, threshold: thr, errorFeedback: true, seed: 1, simd: true }
              : { method, density, errorFeedback: true, seed: 1, simd: true },
          );
          const memBefore = c.memoryBytes();
          // The input and residual buffers swap roles after every step: stage again each time.
          let staged = c.stage('w', n);
          const refill = (): void => {
            c.resetResidual();
            staged = c.stage('w', n);
            staged.set(data);
          };
          // First step on a zero residual: acc = data, so it can be checked against the reference.
          refill();
          const first = c.step({ w: staged }).tensors[0]!;
          let check = 'ok';
          const firstKept = first.indices.length;
          let kept = firstKept;
          let rec: number | null = null;
          if (method === 'topk' && !sameSelection(exact, first.indices, first.values)) check = 'FAIL: differs from exact top-k';
          if (method === 'threshold' && kept !== nAtThr) check = `FAIL: kept ${kept}, want ${nAtThr}`;
          if (method === 'randomk' && kept !== k) check = `FAIL: kept ${kept}, want ${k}`;
          if (method === 'approx-topk') rec = recall(exact.indices, first.indices);
          let lastKept = kept;
          const t = timeSync(
            () => {
              lastKept = c.step({ w: staged }).tensors[0]!.indices.length;
            },
            fast,
            refill,
          );
          kept = lastKept;
          const mem = c.memoryBytes() - memBefore;
          if (!c.core.simd) check = 'FAIL: not the SIMD build';
          c.dispose();
          add({ row: name, kind: 'sparsegrad', method, ...timingCells(t), kept, firstStepKept: firstKept, recall: rec, wasmMemBytes: mem, memX8n: mem / (8 * n), check });
          collectGarbage();
        }

        // Plain-JS baselines.
        if (rowSelected(args, SORT)) {
          if (n <= SORT_MAX_N) {
            const check = sameSelection(exact, jsSortTopk(data, k).indices, exact.values) ? 'ok' : 'FAIL: differs from quickselect';
            const t = timeSync(() => void jsSortTopk(data, k), slow);
            add({ row: SORT, kind: 'baseline', ...timingCells(t), kept: k, wasmMemBytes: null, memX8n: null, check });
          } else {
            console.log(`${SORT}: skipped at n=${formatSize(n)} (too slow; runs only at n ≤ ${formatSize(SORT_MAX_N)})`);
          }
        }
        if (rowSelected(args, QSEL)) {
          const t = timeSync(() => void jsQuickselectTopk(data, k), slow);
          add({ row: QSEL, kind: 'baseline', ...timingCells(t), kept: k, wasmMemBytes: null, memX8n: null, check: 'reference' });
        }

        // tf.topk on the wasm backend: copy in, abs, topk, copy both outputs out, dispose.
        const tfCheck = sameMagnitudes(exact.values, (await tfjsTopk(data, k)).values) ? 'ok' : 'FAIL: magnitudes differ';
        const tTf = await timeAsync(async () => void (await tfjsTopk(data, k)), fast);
        add({ row: TF, kind: 'baseline', ...timingCells(tTf), kept: k, wasmMemBytes: null, memX8n: null, check: tfCheck });

        for (const row of caseRows) if (typeof row.check === 'string' && row.check.startsWith('FAIL')) failures++;
        for (const row of caseRows) {
          const med = row.medianMs as number;
          row.xFloor = med / tFloor.medianMs;
          row.tfSpeedup = tTf.medianMs / med;
          row.gbps = (12 * n) / (med * 1e6);
        }
        printTable(caseRows, CASE_COLUMNS);
        collectGarbage();
      }
    }
  }

  const targets = evaluateTargets(rows, ns);
  console.log(`\n=== ${question}: targets (n=${formatSize(TARGET_N)}; printed, not asserted) ===`);
  printTable(targets, [{ key: 'target' }, { key: 'case' }, { key: 'measured' }, { key: 'result' }]);

  console.log(`\n=== ${question}: summary (median ms) ===`);
  printTable(
    rows.map((r) => ({ ...r, case: `${r.nLabel} ${pct(r.density as number)} ${r.data}` })),
    [{ key: 'case' }, ...CASE_COLUMNS.filter((c) => ['row', 'medianMs', 'xFloor', 'tfSpeedup', 'memX8n', 'check'].includes(c.key))],
  );
  const file = writeResults(question, title, args, rows, notes, targets);
  console.log(`\nresults written to ${file}`);
  if (failures > 0) {
    console.error(`${failures} row(s) FAILED their correctness check (see 'check'); timings of those rows are meaningless`);
    process.exitCode = 1;
  }
}

/** PASS/MISS for the question's targets, one row per (density, data) case measured at TARGET_N. */
function evaluateTargets(rows: Row[], ns: number[]): Row[] {
  const out: Row[] = [];
  if (!ns.includes(TARGET_N)) {
    return [{ target: 'all', case: `n=${formatSize(TARGET_N)} not in this run`, measured: null, result: 'not measured' }];
  }
  for (const r of rows) {
    if (r.n !== TARGET_N || r.row !== 'topk + EF') continue;
    const c = `${pct(r.density as number)} ${r.data}`;
    const ok = r.check === 'ok';
    const xf = r.xFloor as number;
    const sp = r.tfSpeedup as number;
    out.push({ target: `topk + EF ≤ ${TARGET_FLOOR_RATIO}x EF floor`, case: c, measured: `${xf.toFixed(2)}x`, result: ok && xf <= TARGET_FLOOR_RATIO ? 'PASS' : 'MISS' });
    out.push({ target: `topk + EF ≥ ${TARGET_TF_SPEEDUP}x faster than tf.topk`, case: c, measured: `${sp.toFixed(2)}x`, result: ok && sp >= TARGET_TF_SPEEDUP ? 'PASS' : 'MISS' });
  }
  if (out.length === 0) out.push({ target: 'all', case: 'topk + EF row not run', measured: null, result: 'not measured' });
  return out;
}

runIfMain(import.meta.url, run);
