/**
 * Question: what do structured selection and DGC compensation cost, against the EF floor?
 *
 * At n = 2^24 (4096 × 4096; --quick: 2^20) on seeded normal data, times one compressor step
 * (error feedback on) of each structured method — blocks 4×4 and 8×8, output channels, attention
 * heads, rows, columns, N:M 2:4 — at 1% of their units, and of top-k at 1% with DGC compensation
 * (momentum correction with masking, plus local clipping), with the EF floor (one Wasm SIMD pass
 * r = g + r) measured in the same run. Prints medians and ratios to the floor; writes
 * bench/results/structured-<date>-<commit>.json.
 *
 * Run: `npm run bench` or `node --import tsx bench/structured.bench.ts [--quick]`.
 */
import { createCompressor, loadCore, type CompressorOptions } from '../ts-api/index.ts';
import type { BenchArgs } from './lib/args.ts';
import { formatSize, rowSelected, runIfMain } from './lib/args.ts';
import { makeDataset } from './lib/data.ts';
import { type Column, describeRun, printTable, type Row, writeResults } from './lib/results.ts';
import { defaultTiming, quickTiming, type Timing, timeSync } from './lib/timing.ts';

/** Question name (results file prefix). */
export const question = 'structured';
/** One-line statement of the question. */
export const title = 'What do structured selection and DGC compensation cost against the EF floor?';

const FLOOR = 'EF floor (r=g+r)';

/** The rows: label and options for a [side, side] tensor. */
function rowsFor(side: number): Array<[string, CompressorOptions]> {
  const shape = [side, side];
  return [
    ['block 4x4 (1%)', { method: 'block', block: 4, density: 0.01, shape }],
    ['block 8x8 (1%)', { method: 'block', block: 8, density: 0.01, shape }],
    ['channel (1%)', { method: 'channel', density: 0.01, shape: [side, side / 16, 4, 4] }],
    ['head 16 heads (k=1)', { method: 'head', heads: 16, k: 1, shape }],
    ['row (1%)', { method: 'row', density: 0.01, shape }],
    ['column (1%)', { method: 'column', density: 0.01, shape }],
    ['nm 2:4', { method: 'nm', nm: [2, 4], shape }],
    ['topk 1% + DGC momentum', { method: 'topk', density: 0.01, momentum: 0.9 }],
    ['topk 1% + DGC momentum + clip', { method: 'topk', density: 0.01, momentum: 0.9, clipNorm: 1, workers: 4 }],
    ['topk 1% (no compensation)', { method: 'topk', density: 0.01 }],
  ];
}

async function main(args: BenchArgs): Promise<void> {
  console.log(`${title}\n${describeRun()}`);
  const side = args.quick ? 1024 : 4096;
  const n = side * side;
  const timing = args.quick ? quickTiming : defaultTiming;
  const data = makeDataset('normal', n, args.seed).data;
  const core = await loadCore({ simd: true });
  const g = core.allocF32(n);
  const r = core.allocF32(n, true);
  const floor = timeSync(() => core.efFloor(g.ptr, r.ptr, n), timing, () => {
    g.view().set(data);
    r.view().fill(0);
  });
  const rows: Row[] = [{ row: FLOOR, n: formatSize(n), medianMs: floor.medianMs, minMs: floor.minMs, ratio: 1, kept: null }];
  for (const [label, options] of rowsFor(side)) {
    if (!rowSelected(args, label)) continue;
    const c = await createCompressor({ ...options, simd: true });
    let kept = 0;
    const t: Timing = timeSync(() => {
      kept = c.step({ w: c.stage('w', n) }).tensors[0]!.indices.length;
    }, timing, () => {
      c.resetResidual();
      c.stage('w', n).set(data);
    });
    rows.push({ row: label, n: formatSize(n), medianMs: t.medianMs, minMs: t.minMs, ratio: t.medianMs / floor.medianMs, kept });
    c.dispose();
  }
  const columns: Column[] = [
    { key: 'row', header: 'row' }, { key: 'n', header: 'n' }, { key: 'medianMs', header: 'median ms' },
    { key: 'minMs', header: 'min ms' }, { key: 'ratio', header: '× EF floor' }, { key: 'kept', header: 'kept' },
  ];
  printTable(rows, columns);
  const path = writeResults(question, title, args, rows, [`n = ${side}x${side}, normal data, seed ${args.seed}`]);
  console.log(`results: ${path}`);
}

runIfMain(import.meta.url, main);
