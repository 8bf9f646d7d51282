/**
 * Top-k over unit keys and the emission of kept rectangle units (docs/selection.md, "Structured
 * methods"). Units are ranked by key, larger first, equal keys by the lower unit number; the k
 * first are kept. Emission writes the elements of the kept units to the result area in ascending
 * element order (rows top to bottom; within a row the kept units left to right) with their
 * accumulated values, and with error feedback the new residual acc - acc = +0 at those positions.
 */
import { rsAbove, rsKey, rsSelectU32 } from './radix_select';
import { resultCount, resultIdx, resultReserve, resultSetCount, resultVal } from './scratch';
import { unitAt, unitCount, unitPush, unitReserve } from './unit_result';
import { ceilDiv } from './unit_score';

/** Keeps the k first of U unit keys by the tie rule: fills the unit list (ascending). */
export function selectUnits(keys: usize, U: u32, k: u32): void {
  unitReserve(k);
  if (k == 0) return;
  if (k >= U) {
    for (let u: u32 = 0; u < U; u++) unitPush(u);
    return;
  }
  rsSelectU32(keys, U, k);
  const T = rsKey;
  let quota = k - rsAbove;
  for (let u: u32 = 0; u < U; u++) {
    const key = load<u32>(keys + (<usize>u << 2));
    if (key > T) {
      unitPush(u);
    } else if (key == T && quota > 0) {
      unitPush(u);
      quota--;
    }
  }
}

/** Writes count consecutive indices from i0 and their values s[i0..] to the result area at resultCount. */
function pushRun(s: usize, i0: u32, count: u32, ef: bool): void {
  const at = <usize>resultCount << 2;
  const ip = resultIdx + at;
  let q: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    let iv = i32x4(i0, i0 + 1, i0 + 2, i0 + 3);
    const four = i32x4.splat(4);
    for (; q + 4 <= count; q += 4) {
      v128.store(ip + (<usize>q << 2), iv);
      iv = i32x4.add(iv, four);
    }
  }
  for (; q < count; q++) store<u32>(ip + (<usize>q << 2), i0 + q);
  const src = s + (<usize>i0 << 2);
  memory.copy(resultVal + at, src, <usize>count << 2);
  if (ef) memory.fill(src, 0, <usize>count << 2);
  resultSetCount(resultCount + count);
}

/**
 * Emits the kept units of the unit list (a bh×bw grid over the [R, C] matrix at s, which holds acc)
 * in ascending element order; with `ef`, zeroes s at the kept positions (the new residual).
 */
export function emitRects(s: usize, R: u32, C: u32, bh: u32, bw: u32, ef: bool): void {
  const nbx = ceilDiv(C, bw);
  let total: u64 = 0;
  for (let j: u32 = 0; j < unitCount; j++) {
    const u = unitAt(j);
    const y0 = (u / nbx) * bh;
    const x0 = (u % nbx) * bw;
    const h = R - y0 > bh ? bh : R - y0;
    const w = C - x0 > bw ? bw : C - x0;
    total += <u64>h * <u64>w;
  }
  resultReserve(<u32>total);
  let j: u32 = 0;
  while (j < unitCount) {
    const by = unitAt(j) / nbx;
    let e = j + 1;
    while (e < unitCount && unitAt(e) / nbx == by) e++;
    const y0 = by * bh;
    const y1 = R - y0 > bh ? y0 + bh : R;
    for (let y = y0; y < y1; y++) {
      const row = y * C;
      // Adjacent kept units of the row form one run.
      let start: u32 = 0, len: u32 = 0;
      for (let t = j; t < e; t++) {
        const x0 = (unitAt(t) % nbx) * bw;
        const w = C - x0 > bw ? bw : C - x0;
        if (len > 0 && start + len == x0) {
          len += w;
        } else {
          if (len > 0) pushRun(s, row + start, len, ef);
          start = x0;
          len = w;
        }
      }
      if (len > 0) pushRun(s, row + start, len, ef);
    }
    j = e;
  }
}
