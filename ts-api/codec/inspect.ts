/**
 * A JSON-able summary of a frame: header fields and, per tensor, its codes, byte counts, bits per
 * index against the entropy bound, and the compression ratio against dense f32.
 */
import { decodeFrame, type DecodedTensor, type DecodeLimits, type DecodeState } from './frame.ts';
import type { IndexCodeName, ValueCodeName } from './ids.ts';
import { nmRowWidth, rectGrid, type UnitName } from './units.ts';

/** Per-tensor part of {@link FrameSummary}. */
export interface TensorSummary {
  /** Tensor name. */
  name: string;
  /** Selection method. */
  method: string;
  /** The section's unit (element, rect, nm, mask). */
  unit: UnitName;
  /** Unit `rect`: the unit extent per dimension, the unit grid, and the number of kept units. */
  unitDims?: number[];
  unitGrid?: number[];
  keptUnits?: number;
  /** Unit `nm`: [N, M]. */
  nm?: [number, number];
  /** Unit `mask`: whether the section carried the mask. */
  maskSent?: boolean;
  /** Declared shape, or null. */
  shape: number[] | null;
  /** Dense length n. */
  length: number;
  /** Number of kept elements (for `rect`: the elements of the kept units). */
  k: number;
  /** k / n (0 for n = 0). */
  density: number;
  /** Index code. */
  indexCode: IndexCodeName;
  /** Rice b, else 0. */
  indexParam: number;
  /** Value code. */
  valueCode: ValueCodeName;
  /** int8 scale / ternary magnitude, else 0. */
  valueParam: number;
  /** Index payload bytes. */
  indexBytes: number;
  /** Value payload bytes. */
  valueBytes: number;
  /** Bytes of the whole tensor section (name, header fields, parameters, payloads). */
  sectionBytes: number;
  /** 8 · indexBytes / k: index bits per kept element (null for k = 0). */
  bitsPerIndex: number | null;
  /**
   * The entropy of the kept positions per kept element (null for k = 0): log2(C(n, k)) / k for
   * elements and sent masks, log2(C(U, kept units)) / k for rect, Σ log2(C(g, min(N, g))) / k over
   * the N:M groups, 0 for a mask taken from the store.
   */
  entropyBitsPerIndex: number | null;
  /** 8 · valueBytes / k (null for k = 0). */
  bitsPerValue: number | null;
  /** Dense f32 bytes (4 · length) divided by sectionBytes. */
  ratioVsDenseF32: number;
}

/** Result of {@link inspectFrame}. */
export interface FrameSummary {
  /** Format version. */
  version: number;
  /** Step number. */
  step: number;
  /** Frame length in bytes. */
  totalBytes: number;
  /** CRC-32C as 8 lowercase hex digits. */
  checksum: string;
  /** Number of tensor sections. */
  tensorCount: number;
  /** Per-tensor summaries in frame order. */
  tensors: TensorSummary[];
  /** Sum of 4 · length over tensors, divided by totalBytes. */
  ratioVsDenseF32: number;
}

/**
 * log2 of the binomial coefficient C(n, k), summed term by term (O(min(k, n - k))).
 * Used as the entropy bound for coding k positions among n.
 */
export function log2Binomial(n: number, k: number): number {
  const m = Math.min(k, n - k);
  let s = 0;
  for (let j = 0; j < m; j++) s += Math.log2((n - j) / (m - j));
  return s;
}

/** Entropy in bits of the kept positions of a decoded tensor (see TensorSummary.entropyBitsPerIndex). */
function positionBits(t: DecodedTensor): number {
  const k = t.indices.length;
  if (t.unit === 'rect') {
    const g = rectGrid(t.shape!, t.unitDims!);
    return log2Binomial(g.U, t.units!.length);
  }
  if (t.unit === 'nm') {
    const [N, M] = t.nm!;
    const C = nmRowWidth(t.shape, t.length);
    if (C === 0) return 0;
    const rem = C % M;
    return (t.length / C) * (Math.floor(C / M) * log2Binomial(M, N) + (rem ? log2Binomial(rem, Math.min(N, rem)) : 0));
  }
  if (t.unit === 'mask' && !t.maskSent) return 0;
  return log2Binomial(t.length, k);
}

/**
 * Decode (and so validate) a frame and summarise it. Throws FormatError like {@link decodeFrame}.
 */
export function inspectFrame(bytes: Uint8Array, limits?: DecodeLimits, state?: DecodeState): FrameSummary {
  const f = decodeFrame(bytes, limits, state);
  let dense = 0;
  const tensors = f.tensors.map((t): TensorSummary => {
    const k = t.indices.length;
    dense += 4 * t.length;
    const s: TensorSummary = {
      name: t.name,
      method: t.method,
      unit: t.unit,
      shape: t.shape ?? null,
      length: t.length,
      k,
      density: t.length === 0 ? 0 : k / t.length,
      indexCode: t.indexCode,
      indexParam: t.indexParam,
      valueCode: t.valueCode,
      valueParam: t.valueParam,
      indexBytes: t.indexBytes,
      valueBytes: t.valueBytes,
      sectionBytes: t.sectionBytes,
      bitsPerIndex: k === 0 ? null : (8 * t.indexBytes) / k,
      entropyBitsPerIndex: k === 0 ? null : positionBits(t) / k,
      bitsPerValue: k === 0 ? null : (8 * t.valueBytes) / k,
      ratioVsDenseF32: (4 * t.length) / t.sectionBytes,
    };
    if (t.unit === 'rect') {
      s.unitDims = t.unitDims;
      s.unitGrid = [...rectGrid(t.shape!, t.unitDims!).grid];
      s.keptUnits = t.units!.length;
    }
    if (t.nm) s.nm = t.nm;
    if (t.unit === 'mask') s.maskSent = t.maskSent;
    return s;
  });
  return {
    version: f.version,
    step: f.step,
    totalBytes: f.totalBytes,
    checksum: f.checksum.toString(16).padStart(8, '0'),
    tensorCount: f.tensors.length,
    tensors,
    ratioVsDenseF32: dense / f.totalBytes,
  };
}
