/**
 * Structured units of a tensor section (docs/wire-format.md, "Structured units"): the unit of each
 * method, the rectangle grid of unit 1 (unit numbers, clipped sizes, the kept elements in ascending
 * order), the N:M pattern of unit 2, and the mask store of unit 3.
 */
import { fail } from './bytes.ts';
import { U32_MAX } from './ids.ts';

/** Unit names by unit id: 0 element, 1 rect (rectangle units), 2 nm (N:M), 3 mask (learned mask). */
export type UnitName = 'element' | 'rect' | 'nm' | 'mask';
/** Unit names in id order. */
export const UNIT_NAMES: readonly UnitName[] = ['element', 'rect', 'nm', 'mask'];
/** Bit 1 of the tensor flags byte: a unit-3 section carries its mask. */
export const TENSOR_FLAG_MASK = 0x02;
/** Largest N:M group size M. */
export const NM_MAX_GROUP = 32;

/** The unit a method id must be sent with: 0 for ids 0-7, 1 for 16-20, 2 for 21, 3 for 22; -1 otherwise. */
export function methodUnitOfId(id: number): number {
  if (id >= 0 && id <= 7) return 0;
  if (id >= 16 && id <= 20) return 1;
  if (id === 21) return 2;
  if (id === 22) return 3;
  return -1;
}

/** The rectangle grid of a unit-1 section: dims, unit dims, grid extents and unit count U. */
export interface RectGrid {
  readonly dims: readonly number[];
  readonly unitDims: readonly number[];
  /** G_i = ceil(dims_i / unitDims_i). */
  readonly grid: readonly number[];
  /** Unit-number stride of grid dimension i (row-major). */
  readonly gridStride: readonly number[];
  /** Element stride of dimension i (row-major). */
  readonly stride: readonly number[];
  /** U = Π G_i (1 for rank 0; 0 when a dim is 0). */
  readonly U: number;
}

/** The grid of `dims` cut into `unitDims` rectangles (unit dims ≥ 1, same rank; dims product ≤ 2^32 − 1). */
export function rectGrid(dims: readonly number[], unitDims: readonly number[]): RectGrid {
  const R = dims.length;
  const grid = dims.map((d, i) => Math.ceil(d / unitDims[i]!));
  const gridStride = new Array<number>(R);
  const stride = new Array<number>(R);
  let gs = 1;
  let es = 1;
  for (let i = R - 1; i >= 0; i--) {
    gridStride[i] = gs;
    stride[i] = es;
    gs *= grid[i]!;
    es *= dims[i]!;
  }
  return { dims, unitDims, grid, gridStride, stride, U: gs };
}

/** Grid coordinate along dimension `i` of unit number `u`. */
function coord(g: RectGrid, u: number, i: number): number {
  return Math.floor(u / g.gridStride[i]!) % g.grid[i]!;
}

/** Clipped extent along dimension `i` of the unit with grid coordinate `c`. */
function extent(g: RectGrid, i: number, c: number): number {
  const lo = c * g.unitDims[i]!;
  return Math.min(g.dims[i]!, lo + g.unitDims[i]!) - lo;
}

/** Number of elements of unit `u` (its clipped size, ≥ 1). */
export function rectUnitSize(g: RectGrid, u: number): number {
  let s = 1;
  for (let i = 0; i < g.dims.length; i++) s *= extent(g, i, coord(g, u, i));
  return s;
}

/** m: the number of elements of the kept units (valid unit numbers: distinct, < U). */
export function rectElementCount(g: RectGrid, units: Uint32Array): number {
  let m = 0;
  for (let j = 0; j < units.length; j++) m += rectUnitSize(g, units[j]!);
  return m;
}

/**
 * Visits the elements of the kept `units` (strictly increasing, < U) in ascending element order as
 * runs `[start, start + len)` along the last dimension; stops early when `visit` returns false.
 * Returns false when stopped. Work O(R · (runs + k)).
 */
export function rectVisit(g: RectGrid, units: Uint32Array, visit: (start: number, len: number) => boolean): boolean {
  const R = g.dims.length;
  if (units.length === 0) return true;
  if (R === 0) return visit(0, 1);
  // units[lo, hi) share their grid coordinates before dimension d and are sorted by the rest.
  const walk = (d: number, lo: number, hi: number, base: number): boolean => {
    let j = lo;
    while (j < hi) {
      const c = coord(g, units[j]!, d);
      let e = j + 1;
      while (e < hi && coord(g, units[e]!, d) === c) e++;
      const x0 = c * g.unitDims[d]!;
      const x1 = x0 + extent(g, d, c);
      if (d === R - 1) {
        if (!visit(base + x0, x1 - x0)) return false;
      } else {
        for (let x = x0; x < x1; x++) if (!walk(d + 1, j, e, base + x * g.stride[d]!)) return false;
      }
      j = e;
    }
    return true;
  };
  return walk(0, 0, units.length, 0);
}

/** The `m` element indices of the kept units, ascending. */
export function rectElements(g: RectGrid, units: Uint32Array, m: number): Uint32Array {
  const out = new Uint32Array(m);
  let w = 0;
  rectVisit(g, units, (start, len) => {
    for (let t = 0; t < len; t++) out[w++] = start + t;
    return true;
  });
  return out;
}

/**
 * The first position where `indices` differs from the elements of the kept units (ascending), or
 * -1 when they are equal. A proper prefix differs at its end.
 */
export function rectMismatch(g: RectGrid, units: Uint32Array, indices: Uint32Array): number {
  let w = 0;
  let at = -1;
  const done = rectVisit(g, units, (start, len) => {
    for (let t = 0; t < len; t++, w++) {
      if (w >= indices.length || indices[w] !== start + t) {
        at = w;
        return false;
      }
    }
    return true;
  });
  if (!done) return at;
  return w === indices.length ? -1 : w;
}

/**
 * The unit dims of a 2-D view unit `bh × bw` over `shape` (rows = shape[0], cols = the product of
 * the rest) as a rank-R rectangle with the same unit numbers, or undefined when there is none
 * (docs/wire-format.md, "Unit 1").
 */
export function rankUnitDims(shape: readonly number[], bh: number, bw: number): number[] | undefined {
  const R = shape.length;
  if (R < 2) return undefined;
  const inner = shape.slice(1);
  const cols = inner.reduce((a, d) => a * d, 1);
  if (bw >= cols) return [bh, ...inner.map((d) => Math.max(1, d))];
  let S = 1;
  for (let j = R - 1; j >= 1; j--) {
    const d = shape[j]!;
    if (S <= bw && bw < d * S) {
      if (bw % S !== 0) return undefined;
      const w = bw / S;
      if (j !== 1 && d % w !== 0) return undefined;
      return [bh, ...new Array<number>(j - 1).fill(1), w, ...shape.slice(j + 1)];
    }
    S *= d;
  }
  return undefined;
}

/** Row width C of an N:M section: the last dim when a shape of rank ≥ 1 is declared, else n. */
export function nmRowWidth(shape: readonly number[] | undefined, n: number): number {
  return shape !== undefined && shape.length >= 1 ? shape[shape.length - 1]! : n;
}

/** The k an N:M section must state: (n / C) · (floor(C / M) · N + min(N, C mod M)); 0 when C = 0. */
export function nmCount(n: number, C: number, N: number, M: number): number {
  if (C === 0) return 0;
  return (n / C) * (Math.floor(C / M) * N + Math.min(N, C % M));
}

/**
 * The start of the first N:M group of the ascending `indices` (all < n) that does not keep exactly
 * min(N, g) elements, or -1 when every group does. Groups in row-major order.
 */
export function nmMismatch(indices: Uint32Array, n: number, C: number, N: number, M: number): number {
  if (C === 0) return -1;
  let j = 0;
  for (let row = 0; row < n; row += C) {
    for (let s = row; s < row + C; s += M) {
      const e = Math.min(s + M, row + C);
      let c = 0;
      while (j < indices.length && indices[j]! < e) {
        c++;
        j++;
      }
      if (c !== Math.min(N, e - s)) return s;
    }
  }
  return -1;
}

/**
 * Decodes an N:M payload of ceil(n/8) bytes at `start` (docs/wire-format.md, "Unit 2"): groups in
 * order, a group at stream bit s without exactly min(N, g) set bits → E_COUNT at start + floor(s/8);
 * then non-zero pad bits → E_RESERVED at the last byte. Returns the k kept indices.
 */
export function nmDecode(b: Uint8Array, start: number, n: number, C: number, N: number, M: number, k: number): Uint32Array {
  const out = new Uint32Array(k);
  let w = 0;
  const bit = (i: number): number => (b[start + (i >>> 3)]! >>> (i & 7)) & 1;
  if (C > 0) {
    for (let row = 0; row < n; row += C) {
      for (let s = row; s < row + C; s += M) {
        const e = Math.min(s + M, row + C);
        let c = 0;
        for (let i = s; i < e; i++) c += bit(i);
        if (c !== Math.min(N, e - s)) fail('E_COUNT', start + Math.floor(s / 8), `N:M group at element ${s} keeps ${c}, not ${Math.min(N, e - s)}`);
        for (let i = s; i < e; i++) if (bit(i)) out[w++] = i;
      }
    }
  }
  const size = Math.ceil(n / 8);
  if (n % 8 !== 0 && b[start + size - 1]! >>> (n % 8) !== 0) fail('E_RESERVED', start + size - 1, 'non-zero N:M pad bits');
  return out;
}

/** True when `x` is an integer in [lo, hi]. */
export function isIntIn(x: unknown, lo: number, hi: number = U32_MAX): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;
}

/** True when `mask` holds exactly k strictly increasing indices below n. */
export function maskFits(mask: Uint32Array | undefined, k: number, n: number): mask is Uint32Array {
  if (!(mask instanceof Uint32Array) || mask.length !== k) return false;
  let prev = -1;
  for (let j = 0; j < k; j++) {
    if (mask[j]! <= prev || mask[j]! >= n) return false;
    prev = mask[j]!;
  }
  return true;
}
