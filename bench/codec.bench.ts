/**
 * Question: how compact is the wire format, and how fast do the Wasm codec kernels encode and
 * decode it?
 *
 * For n = 2^24 (`--quick`: 2^20) and densities 10%, 1%, 0.1%, on two kinds of kept positions —
 * `random` (a seeded uniform k-subset) and `topk` (the exact top-k of seeded standard normal data,
 * selected by the core's sg_topk) — one tensor of shape [n/4096, 4096] is encoded with every index
 * code and with `auto` (values f16), and with `auto` and every other value code. Per row: frame
 * bytes (header, section header and CRC counted), bits per kept index (index payload + parameter),
 * the entropy bound log2 C(n,k)/k beside it and the gap to it, bytes per kept element, the
 * effective compression ratio vs dense f32 (4n / frame bytes); and throughput in M kept elements/s
 * of: the Wasm kernels (ABI calls on data already in Wasm memory: sg_frame_* resp. sg_decode), the
 * Wasm API (encodeFrameWasm / decodeFrameWasm: copies in and out included) and the TypeScript
 * codec (encodeFrame / decodeFrame), all in this run, SIMD build. Every row checks that the Wasm
 * frame equals the TypeScript frame byte for byte and that both decoders return the same tensor.
 *
 * Targets (printed as PASS/MISS, never asserted): the best index code within 3% of the entropy
 * bound at 1% and 0.1%; ≥ 1000× effective compression vs dense f32 at 0.1% with f16 values
 * (`auto`); Wasm encode and decode ≥ 200 M kept elements/s (`auto`, f16; judged on the kernels,
 * the API figure printed beside).
 *
 * Run: `npm run bench -- --only codec` or `node --import tsx bench/codec.bench.ts [--quick]`.
 */
import { codecExports, decodeFrameWasm, encodeFrameWasm } from '../ts-api/backends/wasm/codec.ts';
import { loadCore, type WasmCore } from '../ts-api/backends/wasm/core.ts';
import { decodeFrame, encodeFrame, type FrameUpdate } from '../ts-api/codec/frame.ts';
import { INDEX_CODE_NAMES, type IndexCodeName, type ValueCodeName } from '../ts-api/codec/ids.ts';
import { log2Binomial } from '../ts-api/codec/inspect.ts';
import { kFromDensity } from '../ts-api/index.ts';
import type { BenchArgs } from './lib/args.ts';
import { formatSize, rowSelected, runIfMain } from './lib/args.ts';
import { createPrng, makeDataset } from './lib/data.ts';
import { describeRun, noteLog, printTable, type Column, type Row, writeResults } from './lib/results.ts';
import { collectGarbage, quickTiming, timeSync, type Timing, type TimingOptions } from './lib/timing.ts';

/** Question name (results file prefix). */
export const question = 'codec';
/** One-line statement of the question. */
export const title = 'How compact is the wire format, and how fast are the Wasm codec kernels?';

const M = 2 ** 20;
const COLS = 4096;
const NAME = 'w';
/** Targets. */
const TARGET_GAP_PCT = 3;
const TARGET_RATIO = 1000;
const TARGET_MPS = 200;

type Positions = 'random' | 'topk';
type Choice = IndexCodeName | 'auto';
const INDEX_ROWS: Choice[] = [...INDEX_CODE_NAMES, 'auto'];
const OTHER_VALUE_CODES: ValueCodeName[] = ['f32', 'bf16', 'int8', 'ternary'];
const INDEX_IDS: Record<Choice, number> = { coo: 0, csr: 1, bitmap: 2, rle: 3, varint: 4, rice: 5, auto: 255 };
const VALUE_IDS: Record<ValueCodeName, number> = { f32: 0, f16: 1, bf16: 2, int8: 3, ternary: 4 };

/** Timing of the fast (Wasm) and the slow (TypeScript) rows. */
const wasmTiming: TimingOptions = { warmup: 1, minReps: 5, maxReps: 25, budgetMs: 300 };
const tsTiming: TimingOptions = { warmup: 1, minReps: 3, maxReps: 7, budgetMs: 400 };

/** A uniform random k-subset of [0, n), ascending (seeded sfc32 draws into a mark array). */
function randomPositions(n: number, k: number, seed: number): Uint32Array {
  const rng = createPrng(seed);
  const mark = new Uint8Array(n);
  let c = 0;
  while (c < k) {
    const i = Math.floor(rng.next() * n);
    if (mark[i] === 0) (mark[i] = 1, c++);
  }
  const out = new Uint32Array(k);
  for (let i = 0, j = 0; i < n; i++) if (mark[i] === 1) out[j++] = i;
  return out;
}

/** Exact top-k (|x| descending, ties to the lower index) of `data` with the core's sg_topk, ascending. */
function topkPositions(core: WasmCore, data: Float32Array, k: number): { indices: Uint32Array; values: Float32Array } {
  const s = core.allocF32(data.length);
  s.view().set(data);
  const count = core.exports.sg_topk(s.ptr, 0, data.length, k, 0);
  if (count !== k) throw new Error(`sg_topk kept ${count}, want ${k}`);
  const out = core.takeResults(0, k);
  core.free(s.ptr);
  return out;
}

const mps = (k: number, t: Timing): number => k / (t.medianMs * 1e3);
const fmtPct = (d: number): string => `${+(d * 100).toPrecision(3)}%`;

/** Kernel-level encode and decode (ABI calls, inputs already in Wasm memory). */
class KernelBench {
  private readonly x;
  private readonly namePtr: number;
  private readonly shapePtr: number;
  private idxPtr = 0;
  private valPtr = 0;
  private framePtr = 0;
  private frameLen = 0;
  constructor(private readonly core: WasmCore, private readonly n: number) {
    this.x = codecExports(core);
    this.namePtr = core.alloc(16);
    new Uint8Array(core.exports.memory.buffer, this.namePtr, 1)[0] = NAME.charCodeAt(0);
    this.shapePtr = core.alloc(8);
    core.u32(this.shapePtr, 2).set([n / COLS, COLS]);
  }
  setTensor(indices: Uint32Array, values: Float32Array): void {
    this.core.free(this.idxPtr);
    this.core.free(this.valPtr);
    this.idxPtr = this.core.alloc(4 * indices.length);
    this.valPtr = this.core.alloc(4 * values.length);
    this.core.u32(this.idxPtr, indices.length).set(indices);
    this.core.f32(this.valPtr, values.length).set(values);
  }
  setFrame(bytes: Uint8Array): void {
    this.core.free(this.framePtr);
    this.framePtr = this.core.alloc(bytes.length);
    this.frameLen = bytes.length;
    new Uint8Array(this.core.exports.memory.buffer, this.framePtr, bytes.length).set(bytes);
  }
  encode(k: number, ic: Choice, vc: ValueCodeName): number {
    const x = this.x;
    x.sg_frame_begin(1);
    const st = x.sg_frame_add_tensor(this.namePtr, 1, 0, this.shapePtr, 2, this.n, this.idxPtr, this.valPtr, k, INDEX_IDS[ic], VALUE_IDS[vc]);
    if (st !== 0) throw new Error(`sg_frame_add_tensor status ${st}`);
    return x.sg_frame_finish() >>> 0;
  }
  decode(): void {
    const rc = this.x.sg_decode(this.framePtr, this.frameLen, Infinity, Infinity, 0);
    this.x.sg_decode_release();
    if (rc !== 0) throw new Error(`sg_decode error ${rc}`);
  }
}

/** Run the question with the parsed command line. */
export async function run(args: BenchArgs): Promise<void> {
  const ns = args.ns ?? (args.quick ? [M] : [16 * M]);
  const densities = args.densities ?? [0.1, 0.01, 0.001];
  const wt = args.quick ? quickTiming : wasmTiming;
  const tt = args.quick ? quickTiming : tsTiming;
  const { notes, note } = noteLog();
  console.log(`\n=== ${question}: ${title} ===`);
  console.log(describeRun());
  const core = await loadCore({ simd: true });
  if (!core.simd) throw new Error('the codec bench must run on the SIMD build of the core');
  note('one tensor per frame, name "w", shape [n/4096, 4096] (so csr applies), method topk; frame bytes count the 20-byte header, the section header, parameters and the 4-byte CRC');
  note('index bits/kept = 8·(index payload + index parameter bytes)/k; entropy = log2 C(n,k)/k (k uniformly random positions); gap = index bits / entropy − 1');
  note('throughput in M kept elements/s (median): wasm kernel = ABI calls on data already in Wasm memory (sg_frame_begin/add_tensor/finish; sg_decode + sg_decode_release); wasm API = encodeFrameWasm / decodeFrameWasm (copies into and out of Wasm memory included); ts = ts-api/codec encodeFrame / decodeFrame; all SIMD build, same process');
  note(`timing: wasm rows ${JSON.stringify(wt)}, ts rows ${JSON.stringify(tt)}`);

  const rows: Row[] = [];
  let failures = 0;
  for (const n of ns) {
    if (n % COLS !== 0) throw new Error(`n must be a multiple of ${COLS}`);
    const ds = makeDataset('normal', n, args.seed);
    const kb = new KernelBench(core, n);
    for (const positions of ['random', 'topk'] as Positions[]) {
      for (const density of densities) {
        const k = kFromDensity(density, n);
        const sel =
          positions === 'topk'
            ? topkPositions(core, ds.data, k)
            : (() => {
                const indices = randomPositions(n, k, ds.seed ^ Math.imul(k, 0x9e3779b1));
                return { indices, values: Float32Array.from(indices, (i) => ds.data[i]!) };
              })();
        kb.setTensor(sel.indices, sel.values);
        const entropy = log2Binomial(n, k) / k;
        console.log(`\n--- n=${formatSize(n)} density=${fmtPct(density)} k=${k} positions=${positions} (data seed ${ds.seed}); entropy bound ${entropy.toFixed(3)} bits/index ---`);
        const caseRows: Row[] = [];
        const cases: Array<[Choice, ValueCodeName]> = [
          ...INDEX_ROWS.map((ic): [Choice, ValueCodeName] => [ic, 'f16']),
          ...OTHER_VALUE_CODES.map((vc): [Choice, ValueCodeName] => ['auto', vc]),
        ];
        for (const [ic, vc] of cases) {
          const rowName = `${ic}/${vc}`;
          if (!rowSelected(args, rowName)) continue;
          const update: FrameUpdate = {
            step: 1,
            tensors: [{ name: NAME, method: 'topk', length: n, shape: [n / COLS, COLS], indices: sel.indices, values: sel.values, indexCode: ic, valueCode: vc }],
          };
          // Correctness first (untimed): Wasm frame = TS frame; both decoders agree.
          const tsBytes = encodeFrame(update);
          const wasmBytes = encodeFrameWasm(core, update);
          const ref = decodeFrame(tsBytes).tensors[0]!;
          const got = decodeFrameWasm(core, tsBytes).tensors[0]!;
          const same = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
            Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
          let check = 'ok';
          if (!same(wasmBytes, tsBytes)) check = 'FAIL: Wasm frame differs from TS frame';
          else if (!same(got.indices, ref.indices) || !same(got.values, ref.values)) check = 'FAIL: decoders differ';
          kb.setFrame(tsBytes);
          if (kb.encode(k, ic, vc) !== tsBytes.length) check = 'FAIL: kernel frame length differs';
          const indexBits = (8 * (ref.indexBytes + (ref.indexCode === 'rice' ? 1 : 0))) / k;
          const frameBytes = tsBytes.length;

          const tKe = timeSync(() => void kb.encode(k, ic, vc), wt);
          const tKd = timeSync(() => kb.decode(), wt);
          const tAe = timeSync(() => void encodeFrameWasm(core, update), wt);
          const tAd = timeSync(() => void decodeFrameWasm(core, tsBytes), wt);
          const tTe = timeSync(() => void encodeFrame(update), tt);
          const tTd = timeSync(() => void decodeFrame(tsBytes), tt);
          const row: Row = {
            n, nLabel: formatSize(n), density, k, positions, row: rowName, indexChoice: ic, indexCode: ref.indexCode, valueCode: vc,
            indexParam: ref.indexParam, frameBytes, indexBytes: ref.indexBytes, valueBytes: ref.valueBytes,
            indexBitsPerKept: indexBits, entropyBitsPerKept: entropy, gapPct: (indexBits / entropy - 1) * 100,
            bytesPerKept: frameBytes / k, ratioVsDenseF32: (4 * n) / frameBytes,
            wasmKernelEncodeMps: mps(k, tKe), wasmKernelDecodeMps: mps(k, tKd),
            wasmApiEncodeMps: mps(k, tAe), wasmApiDecodeMps: mps(k, tAd),
            tsEncodeMps: mps(k, tTe), tsDecodeMps: mps(k, tTd),
            encodeSpeedupVsTs: tTe.medianMs / tKe.medianMs, decodeSpeedupVsTs: tTd.medianMs / tKd.medianMs,
            wasmKernelEncodeMs: tKe.medianMs, wasmKernelDecodeMs: tKd.medianMs, wasmApiEncodeMs: tAe.medianMs,
            wasmApiDecodeMs: tAd.medianMs, tsEncodeMs: tTe.medianMs, tsDecodeMs: tTd.medianMs, check,
          };
          if (check !== 'ok') failures++;
          caseRows.push(row);
          rows.push(row);
          collectGarbage();
        }
        printTable(caseRows, CASE_COLUMNS);
      }
    }
  }
  const targets = evaluateTargets(rows);
  console.log(`\n=== ${question}: targets (printed, not asserted) ===`);
  printTable(targets, [{ key: 'target' }, { key: 'case' }, { key: 'measured' }, { key: 'result' }]);
  const file = writeResults(question, title, args, rows, notes, targets);
  console.log(`\nresults written to ${file}`);
  if (failures > 0) {
    console.error(`${failures} row(s) FAILED their correctness check (see 'check')`);
    process.exitCode = 1;
  }
}

const num = (digits: number) => (v: unknown): string => (typeof v === 'number' ? v.toFixed(digits) : '-');
const CASE_COLUMNS: Column[] = [
  { key: 'row' },
  { key: 'indexCode', header: 'chosen' },
  { key: 'frameBytes', header: 'frame B' },
  { key: 'indexBitsPerKept', header: 'idx bits/kept', format: num(3) },
  { key: 'entropyBitsPerKept', header: 'entropy', format: num(3) },
  { key: 'gapPct', header: 'gap %', format: num(2) },
  { key: 'bytesPerKept', header: 'B/kept', format: num(3) },
  { key: 'ratioVsDenseF32', header: '× dense f32', format: num(1) },
  { key: 'wasmKernelEncodeMps', header: 'enc kern M/s', format: num(0) },
  { key: 'wasmKernelDecodeMps', header: 'dec kern M/s', format: num(0) },
  { key: 'wasmApiEncodeMps', header: 'enc API M/s', format: num(0) },
  { key: 'wasmApiDecodeMps', header: 'dec API M/s', format: num(0) },
  { key: 'tsEncodeMps', header: 'enc TS M/s', format: num(1) },
  { key: 'tsDecodeMps', header: 'dec TS M/s', format: num(1) },
  { key: 'encodeSpeedupVsTs', header: 'enc ×TS', format: num(1) },
  { key: 'decodeSpeedupVsTs', header: 'dec ×TS', format: num(1) },
  { key: 'check' },
];

/** PASS/MISS rows for the targets. */
function evaluateTargets(rows: Row[]): Row[] {
  const out: Row[] = [];
  const cases = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.nLabel} ${fmtPct(r.density as number)} ${r.positions}`;
    if (!cases.has(key)) cases.set(key, []);
    cases.get(key)!.push(r);
  }
  for (const [key, rs] of cases) {
    const density = rs[0]!.density as number;
    const ok = rs.every((r) => r.check === 'ok');
    if (density === 0.01 || density === 0.001) {
      const codes = rs.filter((r) => r.valueCode === 'f16' && r.indexChoice !== 'auto');
      if (codes.length > 0) {
        const best = codes.reduce((a, b) => ((a.indexBitsPerKept as number) <= (b.indexBitsPerKept as number) ? a : b));
        const gap = best.gapPct as number;
        out.push({
          target: `best index code within ${TARGET_GAP_PCT}% of the entropy bound`, case: key,
          measured: `${best.indexCode}: ${(best.indexBitsPerKept as number).toFixed(3)} vs ${(best.entropyBitsPerKept as number).toFixed(3)} bits (+${gap.toFixed(2)}%)`,
          result: ok && gap <= TARGET_GAP_PCT ? 'PASS' : 'MISS',
        });
      }
    }
    const auto = rs.find((r) => r.row === 'auto/f16');
    if (!auto) continue;
    if (density === 0.001) {
      const ratio = auto.ratioVsDenseF32 as number;
      out.push({
        target: `≥ ${TARGET_RATIO}× vs dense f32 (auto, f16, frame bytes)`, case: key,
        measured: `${ratio.toFixed(1)}× (${(auto.bytesPerKept as number).toFixed(3)} B/kept)`,
        result: ok && ratio >= TARGET_RATIO ? 'PASS' : 'MISS',
      });
    }
    for (const [dir, kern, api] of [['encode', 'wasmKernelEncodeMps', 'wasmApiEncodeMps'], ['decode', 'wasmKernelDecodeMps', 'wasmApiDecodeMps']] as const) {
      const v = auto[kern] as number;
      out.push({
        target: `Wasm ${dir} ≥ ${TARGET_MPS} M kept/s (auto, f16)`, case: key,
        measured: `kernel ${v.toFixed(0)} M/s (API ${(auto[api] as number).toFixed(0)} M/s)`,
        result: ok && v >= TARGET_MPS ? 'PASS' : 'MISS',
      });
    }
  }
  if (out.length === 0) out.push({ target: 'all', case: 'no auto/f16 rows in this run', measured: null, result: 'not measured' });
  return out;
}

runIfMain(import.meta.url, run);
