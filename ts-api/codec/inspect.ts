/**
 * A JSON-able summary of a frame: header fields and, per tensor, its codes, byte counts, bits per
 * index against the entropy bound, and the compression ratio against dense f32.
 */
import { decodeFrame, type DecodeLimits } from './frame.ts';
import type { IndexCodeName, ValueCodeName } from './ids.ts';

/** Per-tensor part of {@link FrameSummary}. */
export interface TensorSummary {
  /** Tensor name. */
  name: string;
  /** Selection method. */
  method: string;
  /** Declared shape, or null. */
  shape: number[] | null;
  /** Dense length n. */
  length: number;
  /** Number of kept elements. */
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
  /** 8 · indexBytes / k (null for k = 0). */
  bitsPerIndex: number | null;
  /** log2(C(n, k)) / k: the entropy of k uniformly random positions, per index (null for k = 0). */
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

/**
 * Decode (and so validate) a frame and summarise it. Throws FormatError like {@link decodeFrame}.
 */
export function inspectFrame(bytes: Uint8Array, limits?: DecodeLimits): FrameSummary {
  const f = decodeFrame(bytes, limits);
  let dense = 0;
  const tensors = f.tensors.map((t): TensorSummary => {
    const k = t.indices.length;
    dense += 4 * t.length;
    return {
      name: t.name,
      method: t.method,
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
      entropyBitsPerIndex: k === 0 ? null : log2Binomial(t.length, k) / k,
      bitsPerValue: k === 0 ? null : (8 * t.valueBytes) / k,
      ratioVsDenseF32: (4 * t.length) / t.sectionBytes,
    };
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
