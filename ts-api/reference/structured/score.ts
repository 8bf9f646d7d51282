/**
 * Unit scores and ranking keys of the structured selections, in the one documented f32 order.
 *
 * Normative source: docs/selection.md, "Structured methods", "Unit scores". Every operation is one
 * binary32 operation (`Math.fround` after each).
 */

import { f32Bits, magnitudeKey } from '../key.ts';
import type { RectGrid, UnitScore } from './spec.ts';

/**
 * The score key of the rectangle rows `[y0, y1)`, columns `[x0, x1)` of the row-major matrix
 * `acc` with `cols` columns: four f32 lane accumulators start at +0; rows top to bottom, each row
 * left to right, the element at column `x` is added to lane `(x - x0) mod 4` (L1: `|a|`; L2: the
 * f32 product `a·a`); the score is `(l0 + l1) + (l2 + l3)` and its key is its bit pattern (the
 * score is ≥ +0, +Infinity after overflow). Max: the largest magnitude key of the rectangle.
 */
export function rectScoreKey(
  acc: Float32Array, cols: number, y0: number, y1: number, x0: number, x1: number, score: UnitScore,
): number {
  if (score === 'max') {
    let m = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m = Math.max(m, magnitudeKey(acc[y * cols + x]));
    return m;
  }
  const lanes = [0, 0, 0, 0];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const a = acc[y * cols + x];
      const term = score === 'l1' ? Math.abs(a) : Math.fround(a * a);
      const l = (x - x0) % 4;
      lanes[l] = Math.fround(lanes[l] + term);
    }
  }
  return f32Bits(Math.fround(Math.fround(lanes[0] + lanes[1]) + Math.fround(lanes[2] + lanes[3])));
}

/** The rectangle `[y0, y1) × [x0, x1)` of unit `u` of a grid (edge units clipped). */
export function unitRect(g: RectGrid, u: number): { y0: number; y1: number; x0: number; x1: number } {
  const nbx = Math.ceil(g.cols / g.unitCols);
  const y0 = Math.floor(u / nbx) * g.unitRows;
  const x0 = (u % nbx) * g.unitCols;
  return { y0, y1: Math.min(g.rows, y0 + g.unitRows), x0, x1: Math.min(g.cols, x0 + g.unitCols) };
}

/** The score key of every unit of a grid, by unit number. */
export function gridScoreKeys(acc: Float32Array, g: RectGrid, score: UnitScore): Uint32Array {
  const U = Math.ceil(g.rows / g.unitRows) * Math.ceil(g.cols / g.unitCols);
  const keys = new Uint32Array(U);
  for (let u = 0; u < U; u++) {
    const { y0, y1, x0, x1 } = unitRect(g, u);
    keys[u] = rectScoreKey(acc, g.cols, y0, y1, x0, x1, score);
  }
  return keys;
}

/**
 * The ranking key of a finite importance value (docs/selection.md, "Structured methods"): orders
 * like the value (larger value, larger key), with -0 and +0 equal. A u32.
 */
export function importanceKey(x: number): number {
  const b = x === 0 ? 0 : f32Bits(x);
  return (b >>> 31 ? ~b : b | 0x80000000) >>> 0;
}
