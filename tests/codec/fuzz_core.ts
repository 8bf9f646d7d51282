/**
 * Seeded decoder fuzzing shared by tests/codec/fuzz.test.ts (a few thousand cases) and fuzz/run.ts
 * (millions). Each case is a mutated valid frame (most with the length and CRC fixed up so the
 * mutation reaches the section parser) or random bytes; the only acceptable outcomes are a decode
 * that satisfies the output invariants, or a FormatError. Anything else, or a case slower than the
 * time limit, is a failure.
 */
import { encodeFrame, type EncodeTensor } from '../../ts-api/codec/frame.ts';
import { decodeFrame } from '../../ts-api/codec/frame_decode.ts';
import { INDEX_CODE_NAMES, VALUE_CODE_NAMES, type IndexCodeName, type ValueCodeName } from '../../ts-api/codec/ids.ts';
import { rectElementCount, rectElements, rectGrid } from '../../ts-api/codec/units.ts';
import { FormatError } from '../../ts-api/errors.ts';
import { fixCrc, randomIndices, randomValues, rng } from './helpers.ts';

/** The mask store the fuzzers decode with: values-only mask sections of the corpus use these masks. */
export const FUZZ_MASKS: ReadonlyArray<[string, readonly number[]]> = [['mask.s', [1, 5, 9, 20, 33]], ['mask.t', [0, 2]]];

/** A fresh copy of {@link FUZZ_MASKS} as a mask store. */
export function fuzzMasks(): Map<string, Uint32Array> {
  return new Map(FUZZ_MASKS.map(([k, v]) => [k, Uint32Array.from(v)]));
}

/** Structured tensors (rect, nm, mask with and without the mask) with the given codes. */
export function structuredTensors(r: () => number, ic: IndexCodeName, vc: ValueCodeName): EncodeTensor[] {
  const int = (m: number): number => Math.floor(r() * m);
  const rank = 2 + int(2);
  const shape = Array.from({ length: rank }, () => 1 + int(rank === 2 ? 9 : 4));
  const unitDims = shape.map((d) => 1 + int(d + 1));
  const g = rectGrid(shape, unitDims);
  const units = randomIndices(r, g.U, int(g.U + 1));
  const n = shape.reduce((a, d) => a * d, 1);
  const idx = rectElements(g, units, rectElementCount(g, units));
  const M = 1 + int(6);
  const N = int(M + 1);
  const cols = 1 + int(10);
  const rows = 1 + int(4);
  const nmIdx: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let s = 0; s < cols; s += M) {
      const gsize = Math.min(M, cols - s);
      const keep = randomIndices(r, gsize, Math.min(N, gsize));
      for (const q of keep) nmIdx.push(row * cols + s + q);
    }
  }
  const m = FUZZ_MASKS[0]![1];
  const out: EncodeTensor[] = [
    { name: 'rect', method: (['block', 'channel', 'head', 'row', 'column'] as const)[int(5)]!, length: n, shape, unitDims,
      units, indices: idx, values: randomValues(r, idx.length), indexCode: ic === 'csr' && rank !== 2 ? 'auto' : ic, valueCode: vc },
    { name: 'nm', method: 'nm', length: rows * cols, ...(r() < 0.7 ? { shape: [rows, cols] } : rows === 1 ? {} : { shape: [rows, cols] }),
      nm: [N, M], indices: Uint32Array.from(nmIdx), values: randomValues(r, nmIdx.length), valueCode: vc },
    { name: 'mask.s', method: 'mask', length: 40, indices: Uint32Array.from(m), values: randomValues(r, m.length), maskChanged: false, valueCode: vc },
    { name: 'mask.sent', method: 'mask', length: 30, indices: randomIndices(r, 30, int(31)), values: new Float32Array(0), valueCode: vc,
      indexCode: ic === 'csr' ? 'auto' : ic },
  ];
  out[3]!.values = randomValues(r, out[3]!.indices.length);
  return out;
}

/** A corpus of valid frames covering every index code × value code and some edge shapes. */
export function corpus(seed: number): Uint8Array[] {
  const r = rng(seed);
  const frames: Uint8Array[] = [];
  for (const ic of INDEX_CODE_NAMES) {
    for (const vc of VALUE_CODE_NAMES) {
      const tensors: EncodeTensor[] = [];
      for (let t = 0; t < 1 + Math.floor(r() * 3); t++) {
        const rows = 1 + Math.floor(r() * 12);
        const cols = 1 + Math.floor(r() * 12);
        const n = rows * cols;
        const k = Math.floor(r() * (n + 1) * (r() < 0.5 ? 0.2 : 1));
        tensors.push({
          name: `layer${t}.w`, method: 'topk', length: n, shape: [rows, cols],
          indices: randomIndices(r, n, k), values: randomValues(r, k), indexCode: ic, valueCode: vc,
        });
      }
      frames.push(encodeFrame({ step: Math.floor(r() * 1e6), tensors }));
    }
  }
  frames.push(encodeFrame({ step: 0, tensors: [] }));
  frames.push(encodeFrame({ step: 1, tensors: [{ name: 'z', method: 'randomk', length: 0, indices: new Uint32Array(0), values: new Float32Array(0) }] }));
  // Structured units (rect, nm, mask): every index code, a value code each.
  for (const ic of INDEX_CODE_NAMES) {
    const vc = VALUE_CODE_NAMES[Math.floor(r() * VALUE_CODE_NAMES.length)]!;
    const ts = structuredTensors(r, ic, vc);
    frames.push(encodeFrame({ step: 2, tensors: ts }));
    frames.push(encodeFrame({ step: 3, tensors: [ts[Math.floor(r() * ts.length)]!] }));
  }
  return frames;
}

const INTERESTING = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One seeded mutation of `src` (a copy; `src` is not modified). */
export function mutate(r: () => number, src: Uint8Array, other: Uint8Array): Uint8Array {
  let b = Uint8Array.from(src);
  const pick = (): number => Math.floor(r() * Math.max(1, b.length));
  const rounds = 1 + Math.floor(r() * 3);
  for (let m = 0; m < rounds; m++) {
    const op = Math.floor(r() * 9);
    if (op === 0) b[pick()] ^= 1 << Math.floor(r() * 8);
    else if (op === 1) b[pick()] = Math.floor(r() * 256);
    else if (op === 2) {
      const p = pick();
      const v = INTERESTING[Math.floor(r() * INTERESTING.length)];
      for (let i = 0; i < 4 && p + i < b.length; i++) b[p + i] = (v >>> (8 * i)) & 0xff;
    } else if (op === 3) b = b.slice(0, pick());
    else if (op === 4) {
      const p = pick();
      const ins = Uint8Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256));
      b = Uint8Array.from([...b.subarray(0, p), ...ins, ...b.subarray(p)]);
    } else if (op === 5) {
      const p = pick();
      b = Uint8Array.from([...b.subarray(0, p), ...b.subarray(p + 1 + Math.floor(r() * 8))]);
    } else if (op === 6) {
      const p = pick();
      const q = Math.floor(r() * other.length);
      b = Uint8Array.from([...b.subarray(0, p), ...other.subarray(q)]);
    } else if (op === 7) b[pick()] = r() < 0.5 ? 0 : 0xff;
    else b[pick()] = Math.floor(r() * 24); // small values: unit, method, flags, rank, codes, N, M
  }
  if (r() < 0.85 && b.length >= 24) {
    const total = b.length;
    b[16] = total & 0xff;
    b[17] = (total >>> 8) & 0xff;
    b[18] = (total >>> 16) & 0xff;
    b[19] = (total >>> 24) & 0xff;
    fixCrc(b);
  }
  return b;
}

/** Random bytes, half of them behind a valid-looking header, with a fixed-up CRC. */
export function randomFrame(r: () => number): Uint8Array {
  const len = Math.floor(r() * 160);
  const b = Uint8Array.from({ length: len }, () => (r() < 0.3 ? 0 : Math.floor(r() * 256)));
  if (r() < 0.5 && len >= 24) {
    b.set([0x53, 0x50, 0x47, 0x44, 1, 0, 0, 0], 0);
    b[12] = Math.floor(r() * 3);
    b.fill(0, 13, 16);
    b[16] = len & 0xff;
    b[17] = len >>> 8;
    b.fill(0, 18, 20);
    fixCrc(b);
  }
  return b;
}

/** Outcome counts of a fuzz run. */
export interface FuzzStats {
  cases: number;
  decoded: number;
  errors: Record<string, number>;
  slowestMs: number;
}

/**
 * Decode `bytes`; return 'ok' or the FormatError code. Throws (a failure) on any other exception,
 * or when a successful decode breaks an output invariant.
 */
export function runCase(bytes: Uint8Array): string {
  try {
    const f = decodeFrame(bytes, { maxElements: 1 << 22 }, { masks: fuzzMasks() });
    for (const t of f.tensors) {
      if (t.indices.length !== t.values.length) throw new Error('indices and values differ in length');
      let prev = -1;
      for (let j = 0; j < t.indices.length; j++) {
        if (t.indices[j] <= prev || t.indices[j] >= t.length) throw new Error(`bad index ${t.indices[j]}`);
        if (!Number.isFinite(t.values[j])) throw new Error('non-finite value decoded');
        prev = t.indices[j];
      }
    }
    return 'ok';
  } catch (e) {
    if (e instanceof FormatError) {
      if (!(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= bytes.length)) throw new Error(`bad offset ${e.offset}`);
      return e.code;
    }
    throw e;
  }
}

/**
 * Run `cases` seeded cases and count the outcomes. Throws an Error naming the seed, the case number
 * and the case's bytes (hex) on the first failure, or on a case slower than `maxCaseMs` when one is
 * given (fuzz/run.ts's long runs; the test suite sets none: speed is not asserted in tests).
 */
export function fuzz(seed: number, cases: number, maxCaseMs = Infinity): FuzzStats {
  const r = rng(seed);
  const frames = corpus(seed ^ 0x5bd1e995);
  const stats: FuzzStats = { cases: 0, decoded: 0, errors: {}, slowestMs: 0 };
  for (let c = 0; c < cases; c++) {
    const bytes = r() < 0.9
      ? mutate(r, frames[Math.floor(r() * frames.length)], frames[Math.floor(r() * frames.length)])
      : randomFrame(r);
    const t0 = performance.now();
    let outcome: string;
    try {
      outcome = runCase(bytes);
    } catch (e) {
      const hexBytes = Buffer.from(bytes).toString('hex');
      throw new Error(`fuzz seed ${seed} case ${c}: ${(e as Error).stack ?? String(e)}\nbytes: ${hexBytes}`);
    }
    const ms = performance.now() - t0;
    if (ms > stats.slowestMs) stats.slowestMs = ms;
    if (ms > maxCaseMs) throw new Error(`fuzz seed ${seed} case ${c}: took ${ms.toFixed(0)} ms`);
    stats.cases++;
    if (outcome === 'ok') stats.decoded++;
    else stats.errors[outcome] = (stats.errors[outcome] ?? 0) + 1;
  }
  return stats;
}
