/**
 * Block selection, and the rectangle-unit selection shared by channels, heads, rows and columns.
 *
 * Normative source: docs/selection.md, "Structured methods". Block-sparse weights and gradients:
 * Gray, Radford and Kingma, "GPU Kernels for Block-Sparse Weights", OpenAI 2017; Narang,
 * Undersander and Diamos, "Block-Sparse Recurrent Neural Networks", 2017.
 */

import { firstKByRank } from '../select_topk.ts';
import { gridScoreKeys, importanceKey, unitRect } from './score.ts';
import { type BlockSpec, type RectGrid, type StructuredSelection, type UnitScore, gridUnits, rectGrid, validateStructured } from './spec.ts';

/**
 * Keeps the `k` units of grid `g` ranked first by `keys` (larger first, equal keys by the lower
 * unit number). Returns the kept units ascending and their elements (ascending element indices,
 * sent values `acc[i]`).
 */
export function selectByUnitKeys(acc: Float32Array, g: RectGrid, keys: ArrayLike<number>, k: number): StructuredSelection {
  const units = firstKByRank(keys, k);
  const indices: number[] = [];
  for (const u of units) {
    const { y0, y1, x0, x1 } = unitRect(g, u);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) indices.push(y * g.cols + x);
  }
  indices.sort((a, b) => a - b);
  const values = new Float32Array(indices.length);
  indices.forEach((i, j) => (values[j] = acc[i]));
  return { indices: Uint32Array.from(indices), values, units: Uint32Array.from(units) };
}

/**
 * Keeps the `k` units of grid `g` with the highest score of `acc` (`score`), or of
 * `importance` (one finite value per unit) when given.
 */
export function selectRectUnits(
  acc: Float32Array, g: RectGrid, score: UnitScore | 'importance', k: number, importance?: Float32Array,
): StructuredSelection {
  let keys: ArrayLike<number>;
  if (score === 'importance') {
    if (importance === undefined) throw new Error('importance scores missing');
    keys = Array.from(importance, importanceKey);
  } else {
    keys = gridScoreKeys(acc, g, score);
  }
  if (keys.length !== gridUnits(g)) throw new Error('one key per unit expected');
  return selectByUnitKeys(acc, g, keys, k);
}

/**
 * `block` (docs/selection.md, "Structured methods"): the `[rows, cols]` tensor `acc` (finite) in
 * `blockRows × blockCols` blocks, edge blocks clipped, numbered row-major over the block grid; keeps
 * the `k` blocks with the highest score (ties: lower block number).
 *
 * @throws ShapeError / ConfigError for an invalid spec or k (see validateStructured).
 */
export function selectBlocks(acc: Float32Array, spec: BlockSpec, k: number): StructuredSelection {
  validateStructured(spec, acc.length, k);
  return selectRectUnits(acc, rectGrid(spec), spec.score, k);
}
