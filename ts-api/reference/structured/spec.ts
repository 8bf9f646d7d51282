/**
 * Structured selections: their parameters, validation, unit grids and budgets.
 *
 * Normative source: docs/selection.md, "Structured methods". Every rectangle kind (block, channel,
 * head, row, column) is a grid of `unitRows × unitCols` rectangles over a row-major `[rows, cols]`
 * view of the tensor, edge units clipped, numbered row-major over the grid; N:M has no units.
 */

import { ConfigError, ShapeError } from '../../errors.ts';
import type { Selection } from '../../types.ts';
import { kFromDensity, validateK } from '../density.ts';

/** How a unit is scored from `acc`: sum of |acc|, sum of acc² (no root), or max |acc|. */
export type UnitScore = 'l1' | 'l2' | 'max';

/** `bh × bw` blocks of a `[rows, cols]` tensor (edge blocks clipped). */
export interface BlockSpec {
  readonly unit: 'block';
  readonly rows: number;
  readonly cols: number;
  readonly blockRows: number;
  readonly blockCols: number;
  readonly score: UnitScore;
}

/** Output channels of a conv weight `[out, in, kh, kw]` seen as `[out, inner]`, inner = in·kh·kw. */
export interface ChannelSpec {
  readonly unit: 'channel';
  readonly out: number;
  readonly inner: number;
  readonly score: UnitScore;
}

/** Attention heads of a `[rows, cols]` projection: each head owns `rows/heads` rows or `cols/heads` columns. */
export interface HeadSpec {
  readonly unit: 'head';
  readonly rows: number;
  readonly cols: number;
  readonly heads: number;
  readonly layout: 'rows' | 'cols';
  /** 'l2' (squared gradient norm) is the usual score; 'importance' ranks by `importance`. */
  readonly score: UnitScore | 'importance';
  /** One finite f32 per head (e.g. attention entropy), larger kept first; for score 'importance'. */
  readonly importance?: Float32Array;
}

/** Rows (`unit: 'row'`) or columns (`unit: 'column'`) of a `[rows, cols]` matrix. */
export interface RowsSpec {
  readonly unit: 'row' | 'column';
  readonly rows: number;
  readonly cols: number;
  readonly score: UnitScore;
}

/** N:M: keep `N` of every `M` consecutive elements along the last dimension (`cols`); no k. */
export interface NmSpec {
  readonly unit: 'nm';
  readonly cols: number;
  readonly N: number;
  readonly M: number;
}

/** Any structured selection. */
export type StructuredSpec = BlockSpec | ChannelSpec | HeadSpec | RowsSpec | NmSpec;

/** The rectangle-unit kinds. */
export type RectSpec = Exclude<StructuredSpec, NmSpec>;

/** A structured result: the element-level selection plus the kept unit numbers (ascending). */
export interface StructuredSelection extends Selection {
  /** Kept unit numbers, ascending (empty for N:M). */
  units: Uint32Array;
}

/** A grid of `unitRows × unitCols` rectangles over a row-major `[rows, cols]` matrix. */
export interface RectGrid {
  readonly rows: number;
  readonly cols: number;
  readonly unitRows: number;
  readonly unitCols: number;
}

/** Largest group size of N:M. */
export const NM_MAX_M = 32;

const SCORES: readonly string[] = ['l1', 'l2', 'max'];

function dim(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > 0xffffffff) {
    throw new ShapeError(`${what} must be an integer in [1, 2^32), got ${String(x)}`);
  }
  return x;
}

/** The unit grid of a rectangle kind (docs/selection.md, "Structured methods", "Units"). */
export function rectGrid(spec: RectSpec): RectGrid {
  switch (spec.unit) {
    case 'block':
      return { rows: spec.rows, cols: spec.cols, unitRows: spec.blockRows, unitCols: spec.blockCols };
    case 'channel':
      return { rows: spec.out, cols: spec.inner, unitRows: 1, unitCols: spec.inner };
    case 'head':
      return spec.layout === 'rows'
        ? { rows: spec.rows, cols: spec.cols, unitRows: spec.rows / spec.heads, unitCols: spec.cols }
        : { rows: spec.rows, cols: spec.cols, unitRows: spec.rows, unitCols: spec.cols / spec.heads };
    case 'row':
      return { rows: spec.rows, cols: spec.cols, unitRows: 1, unitCols: spec.cols };
    case 'column':
      return { rows: spec.rows, cols: spec.cols, unitRows: spec.rows, unitCols: 1 };
  }
}

/** Number of units of a grid: `ceil(rows / unitRows) · ceil(cols / unitCols)`. */
export function gridUnits(g: RectGrid): number {
  return Math.ceil(g.rows / g.unitRows) * Math.ceil(g.cols / g.unitCols);
}

/** Number of units of a structured selection (0 for N:M, which has no k). */
export function structuredUnitCount(spec: StructuredSpec): number {
  return spec.unit === 'nm' ? 0 : gridUnits(rectGrid(spec));
}

/**
 * Validates a structured selection for a tensor of `n` elements (and `k`, unless N:M):
 * dimensions are integers ≥ 1 whose product is `n` (ShapeError otherwise), the score is known,
 * heads divide their dimension, importance is a Float32Array of `heads` finite values,
 * `0 ≤ N ≤ M ≤ 32` and `cols` divides `n` for N:M, and `0 ≤ k ≤` units (ConfigError).
 */
export function validateStructured(spec: StructuredSpec, n: number, k?: number): void {
  if (spec === null || typeof spec !== 'object') throw new ConfigError('structured selection must be an object');
  if (spec.unit === 'nm') {
    const cols = dim(spec.cols, 'nm: cols');
    if (n % cols !== 0) throw new ShapeError(`nm: cols = ${cols} does not divide the tensor length ${n}`);
    const { N, M } = spec;
    if (typeof M !== 'number' || !Number.isInteger(M) || M < 1 || M > NM_MAX_M) {
      throw new ConfigError(`nm: M must be an integer in [1, ${NM_MAX_M}], got ${String(M)}`);
    }
    if (typeof N !== 'number' || !Number.isInteger(N) || N < 0 || N > M) {
      throw new ConfigError(`nm: N must be an integer in [0, M = ${M}], got ${String(N)}`);
    }
    if (k !== undefined && k !== 0) throw new ConfigError('nm: takes no k (every group keeps N)');
    return;
  }
  const u = spec.unit;
  if (!['block', 'channel', 'head', 'row', 'column'].includes(u)) {
    throw new ConfigError(`unknown structured unit '${String(u)}'`);
  }
  let R: number, C: number;
  if (spec.unit === 'channel') {
    R = dim(spec.out, 'channel: out');
    C = dim(spec.inner, 'channel: inner');
  } else {
    R = dim(spec.rows, `${u}: rows`);
    C = dim(spec.cols, `${u}: cols`);
  }
  if (R * C !== n) throw new ShapeError(`${u}: shape [${R}, ${C}] does not match the tensor length ${n}`);
  if (spec.unit === 'block') {
    dim(spec.blockRows, 'block: blockRows');
    dim(spec.blockCols, 'block: blockCols');
  }
  if (spec.unit === 'head') {
    const H = dim(spec.heads, 'head: heads');
    if (spec.layout !== 'rows' && spec.layout !== 'cols') {
      throw new ConfigError(`head: layout must be 'rows' or 'cols', got ${String(spec.layout)}`);
    }
    const split = spec.layout === 'rows' ? R : C;
    if (split % H !== 0) throw new ShapeError(`head: ${H} heads do not divide ${spec.layout} = ${split}`);
    if (spec.score === 'importance') {
      const imp = spec.importance;
      if (!(imp instanceof Float32Array) || imp.length !== H) {
        throw new ConfigError(`head: importance must be a Float32Array of ${H} values`);
      }
      const bad = imp.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new ConfigError(`head: importance[${bad}] = ${imp[bad]} is not finite`);
    } else if (!SCORES.includes(spec.score)) {
      throw new ConfigError(`head: score must be 'l1', 'l2', 'max' or 'importance', got ${String(spec.score)}`);
    }
  } else if (!SCORES.includes(spec.score)) {
    throw new ConfigError(`${u}: score must be 'l1', 'l2' or 'max', got ${String(spec.score)}`);
  }
  if (k !== undefined) validateK(k, structuredUnitCount(spec), `k of ${u} selection`);
}

/**
 * The number of units to keep: an explicit `k` (`0 ≤ k ≤ U`), or `k` from a density over the
 * `U` units by the rule of docs/selection.md, "k from a density". 0 for N:M.
 */
export function structuredK(spec: StructuredSpec, budget: { readonly k?: number; readonly density?: number }): number {
  if (spec.unit === 'nm') return 0;
  const U = structuredUnitCount(spec);
  if ((budget.k === undefined) === (budget.density === undefined)) {
    throw new ConfigError(`${spec.unit}: give exactly one of k and density`);
  }
  if (budget.k !== undefined) {
    validateK(budget.k, U, `k of ${spec.unit} selection`);
    return budget.k;
  }
  return kFromDensity(budget.density as number, U);
}
