/**
 * Structured units of the wire format (docs/wire-format.md, "Structured units"), shared by the
 * frame encoder and decoder: the rectangle grid of unit 1 (unit count U, clipped unit sizes, the
 * elements of the kept units in ascending element order) and the N:M pattern of unit 2. Mirrors
 * ts-api/codec/units.ts.
 *
 * The grid is module state set by {@link rectSetup} (one grid at a time: the encoder and decoder
 * each call it right before using it). Dims may be unaligned pointers (the decoder reads them from
 * the frame). All sizes are below 2^32: U ≤ n and the kept units' elements are disjoint.
 */

const MAX_RANK: u32 = 16;
const DIMS: usize = memory.data(MAX_RANK << 2);
const UDIMS: usize = memory.data(MAX_RANK << 2);
const GRID: usize = memory.data(MAX_RANK << 2);
const GSTRIDE: usize = memory.data(MAX_RANK << 2);
const ESTRIDE: usize = memory.data(MAX_RANK << 2);
let rank: u32 = 0;

// @ts-ignore: decorator
@inline function at(table: usize, i: u32): u32 {
  return load<u32>(table + (<usize>i << 2));
}

/**
 * Sets the grid of `dims` (rank r ≤ 16, product < 2^32) cut into `unitDims` (each ≥ 1). Returns
 * U = Π ceil(dims_i / unitDims_i) (1 for rank 0, 0 when a dim is 0).
 */
export function rectSetup(dims: usize, unitDims: usize, r: u32): u32 {
  rank = r;
  let gs: u64 = 1;
  let es: u64 = 1;
  for (let i = <i32>r - 1; i >= 0; i--) {
    const d = load<u32>(dims + (<usize>i << 2));
    const u = load<u32>(unitDims + (<usize>i << 2));
    const g = <u32>((<u64>d + <u64>u - 1) / <u64>u);
    store<u32>(DIMS + (<usize>i << 2), d);
    store<u32>(UDIMS + (<usize>i << 2), u);
    store<u32>(GRID + (<usize>i << 2), g);
    store<u32>(GSTRIDE + (<usize>i << 2), <u32>gs);
    store<u32>(ESTRIDE + (<usize>i << 2), <u32>es);
    gs *= <u64>g;
    es *= <u64>d;
  }
  return <u32>gs;
}

/** Grid extent along dimension i of the current grid (for csr over the grid). */
export function rectGridDim(i: u32): u32 {
  return at(GRID, i);
}

// @ts-ignore: decorator
@inline function coord(u: u32, i: u32): u32 {
  return (u / at(GSTRIDE, i)) % at(GRID, i);
}

// @ts-ignore: decorator
@inline function extent(i: u32, c: u32): u32 {
  const lo = <u64>c * <u64>at(UDIMS, i);
  return <u32>(min<u64>(<u64>at(DIMS, i), lo + <u64>at(UDIMS, i)) - lo);
}

/** m: the number of elements of the kept units `units[0, k)` (valid: distinct, < U). */
export function rectCount(units: usize, k: u32): u64 {
  let m: u64 = 0;
  for (let j: u32 = 0; j < k; j++) {
    const u = load<u32>(units + (<usize>j << 2));
    let s: u64 = 1;
    for (let i: u32 = 0; i < rank; i++) s *= <u64>extent(i, coord(u, i));
    m += s;
  }
  return m;
}

// Walk state: emit into `wOut`, or compare against `wIdx[0, wLen)`.
let wUnits: usize = 0;
let wOut: usize = 0;
let wIdx: usize = 0;
let wLen: u32 = 0;
let wPos: u32 = 0;
let wCompare = false;

/** Units [lo, hi) share their grid coordinates before dimension d. Returns false when a comparison failed. */
function walk(d: u32, lo: u32, hi: u32, base: u32): bool {
  let j = lo;
  while (j < hi) {
    const c = coord(load<u32>(wUnits + (<usize>j << 2)), d);
    let e = j + 1;
    while (e < hi && coord(load<u32>(wUnits + (<usize>e << 2)), d) == c) e++;
    const x0 = c * at(UDIMS, d);
    const x1 = x0 + extent(d, c);
    if (d == rank - 1) {
      const start = base + x0;
      const len = x1 - x0;
      if (wCompare) {
        for (let t: u32 = 0; t < len; t++) {
          if (wPos >= wLen || load<u32>(wIdx + (<usize>wPos << 2)) != start + t) return false;
          wPos++;
        }
      } else {
        for (let t: u32 = 0; t < len; t++) store<u32>(wOut + (<usize>(wPos + t) << 2), start + t);
        wPos += len;
      }
    } else {
      const s = at(ESTRIDE, d);
      for (let x = x0; x < x1; x++) if (!walk(d + 1, j, e, base + x * s)) return false;
    }
    j = e;
  }
  return true;
}

/** Writes the elements of the kept units `units[0, k)` in ascending order to `out` (rectCount of them). */
export function rectEmit(units: usize, k: u32, out: usize): void {
  if (k == 0) return;
  if (rank == 0) {
    store<u32>(out, 0);
    return;
  }
  wUnits = units;
  wOut = out;
  wPos = 0;
  wCompare = false;
  walk(0, 0, k, 0);
}

/**
 * The first position where `idx[0, len)` differs from the elements of the kept units (ascending),
 * or -1 when they are equal (a proper prefix differs at its end).
 */
export function rectMismatch(units: usize, k: u32, idx: usize, len: u32): i64 {
  if (k == 0) return len == 0 ? -1 : 0;
  if (rank == 0) {
    if (len == 0 || load<u32>(idx) != 0) return 0;
    return len == 1 ? -1 : 1;
  }
  wUnits = units;
  wIdx = idx;
  wLen = len;
  wPos = 0;
  wCompare = true;
  if (!walk(0, 0, k, 0)) return <i64>wPos;
  return wPos == len ? -1 : <i64>wPos;
}

/** k of an N:M section: (n / C) · (floor(C / M) · N + min(N, C mod M)); 0 when C = 0. */
export function nmCount(n: u32, C: u32, N: u32, M: u32): u64 {
  if (C == 0) return 0;
  return <u64>(n / C) * (<u64>(C / M) * <u64>N + <u64>min<u32>(N, C % M));
}

/**
 * The start of the first N:M group of ascending `idx[0, k)` (all < n) that does not keep exactly
 * min(N, g) elements, or -1.
 */
export function nmMismatch(idx: usize, k: u32, n: u32, C: u32, N: u32, M: u32): i64 {
  if (C == 0) return -1;
  let j: u32 = 0;
  for (let row: u64 = 0; row < <u64>n; row += <u64>C) {
    const rowEnd = row + <u64>C;
    for (let s = row; s < rowEnd; s += <u64>M) {
      const e = min<u64>(s + <u64>M, rowEnd);
      let c: u32 = 0;
      while (j < k && <u64>load<u32>(idx + (<usize>j << 2)) < e) {
        c++;
        j++;
      }
      if (c != min<u32>(N, <u32>(e - s))) return <i64>s;
    }
  }
  return -1;
}
