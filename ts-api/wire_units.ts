/**
 * The wire geometry of a structured selection (docs/wire-format.md, "Structured units"): the
 * fields the compressor attaches to a CompressedTensor so that `encode` can write its unit section.
 * Rectangle kinds are defined over the 2-D view `[rows, cols]` of the tensor (docs/selection.md,
 * "Units"); on the wire their unit dims have the rank of the declared shape whenever the units are
 * rectangles of it (always for channel, row, column and rows-layout heads), else the frame declares
 * the 2-D view instead (`unitShape`).
 */
import { ConfigError } from './errors.ts';
import type { CompressedTensor } from './types.ts';
import type { EncodeTensor } from './codec/frame.ts';
import type { StructuredSpec } from './reference/structured/index.ts';
import { rectGrid } from './reference/structured/index.ts';
import { rankUnitDims } from './codec/units.ts';

/** The unit fields of a structured result over `shape` (the tensor's declared shape). */
export function wireUnitFields(spec: StructuredSpec, shape: number[] | undefined): Pick<CompressedTensor, 'unitDims' | 'unitShape' | 'nm'> {
  if (spec.unit === 'nm') return { nm: [spec.N, spec.M] };
  const g = rectGrid(spec);
  const dims = shape !== undefined ? rankUnitDims(shape, g.unitRows, g.unitCols) : undefined;
  if (dims !== undefined) return { unitDims: dims };
  return { unitDims: [g.unitRows, g.unitCols], unitShape: [g.rows, g.cols] };
}

/**
 * A result tensor as the codec takes it: rectangle methods with their unit numbers and unit dims
 * (declaring `unitShape` when the units are rectangles of the 2-D view only), N:M with [N, M],
 * masks with their indices only when `maskChanged` is not false, element-wise methods unchanged.
 * @throws ConfigError when a rectangle result lacks its unitDims (it was not made by a compressor).
 */
export function encodeTensorOf(t: CompressedTensor): EncodeTensor {
  const { unitShape, ...rest } = t;
  if (t.method === 'mask') return { ...rest, method: 'mask', maskChanged: t.maskChanged !== false };
  if (t.units === undefined && t.nm === undefined) return rest as EncodeTensor;
  if (t.nm === undefined && t.unitDims === undefined) {
    throw new ConfigError(`tensor '${t.name}': a '${t.method}' result needs its unitDims to be encoded (results of a compressor carry them)`);
  }
  return { ...rest, method: t.method, ...(unitShape !== undefined ? { shape: unitShape } : {}) } as EncodeTensor;
}
