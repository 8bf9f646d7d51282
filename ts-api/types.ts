/** Shared public types of the TypeScript API. Types only. */
import type { IndexCodeName, ValueCodeName } from './codec/ids.ts';

/** Element-wise selection methods. See docs/selection.md for their exact semantics. */
export type Method =
  | 'topk'
  | 'threshold'
  | 'percentile'
  | 'randomk'
  | 'probabilistic'
  | 'approx-topk'
  | 'global-topk'
  | 'hybrid';

/** Structured selection methods (docs/selection.md, "Structured methods"). */
export type StructuredMethod = 'block' | 'channel' | 'head' | 'row' | 'column' | 'nm' | 'mask';

/** The kept elements of one tensor: ascending indices with their sent f32 values. */
export interface Selection {
  indices: Uint32Array;
  values: Float32Array;
}

/** One tensor of a compressed update. */
export interface SparseTensor extends Selection {
  /** Tensor name. */
  name: string;
  /** Dense length (number of elements). */
  length: number;
  /** Dense shape, if known (product equals `length`). */
  shape?: number[];
}

/**
 * One tensor of a step's result: the selected values (before value coding) with the method and the
 * codes to put it on the wire. With a lossy value code the compressor has already added
 * `value − decoded` to the residual, so error feedback accounts for exactly what a receiver decodes.
 */
export interface CompressedTensor extends SparseTensor {
  method: Method | StructuredMethod;
  /** Structured methods: the kept unit numbers, ascending (empty for N:M). */
  units?: Uint32Array;
  /**
   * Rectangle methods (block, channel, head, row, column): the unit extent along each dimension of
   * `unitShape ?? shape`, as the wire format writes it (docs/wire-format.md, "Unit 1").
   */
  unitDims?: number[];
  /**
   * Rectangle methods whose units are not rectangles of `shape` (e.g. a block over a rank-4 shape):
   * the 2-D view `[rows, cols]` they are rectangles of, which frames declare instead of `shape`.
   */
  unitShape?: number[];
  /** N:M: [N, M] (keep N of every M along the last dimension). */
  nm?: [number, number];
  /** Learned masks: true on the steps where the mask (the kept positions) changed; frames carry the mask only then. */
  maskChanged?: boolean;
  valueCode: ValueCodeName;
  indexCode: IndexCodeName | 'auto';
}

/** The result of one compression step over a set of named tensors. */
export interface StepResult {
  /** The step number the RNG used (the compressor's counter before it advanced). */
  step: number;
  /** One entry per input tensor, in input order. */
  tensors: CompressedTensor[];
}
