/**
 * Numeric identifiers and fixed constants of the wire format. Normative source:
 * docs/wire-format.md ("Frame header", "Tensor section", "Identifier tables").
 */
import type { Method, StructuredMethod } from '../types.ts';

/** The four magic bytes "SPGD" at offset 0 of every frame. */
export const MAGIC: readonly number[] = [0x53, 0x50, 0x47, 0x44];
/** Format version written at offset 4 (u16). Decoders of this version accept only this value. */
export const FORMAT_VERSION = 1;
/** Bytes of the fixed frame header (magic, version, flags, step, tensor count, total length). */
export const HEADER_BYTES = 20;
/** Bytes of the CRC-32C trailer that ends every frame. */
export const TRAILER_BYTES = 4;
/** Smallest possible frame: a header, no tensors, the trailer. */
export const MIN_FRAME_BYTES = HEADER_BYTES + TRAILER_BYTES;
/** Smallest possible tensor section (1-byte name, no shape, no parameters, empty payloads). */
export const MIN_SECTION_BYTES = 25;
/** Longest tensor name, in UTF-8 bytes. Names are 1..MAX_NAME_BYTES bytes. */
export const MAX_NAME_BYTES = 1024;
/** Largest rank of a declared shape. */
export const MAX_RANK = 16;
/** Largest value of a u32 field (2^32 - 1): dense lengths, counts, byte lengths. */
export const U32_MAX = 0xffffffff;
/** Bit 0 of the tensor flags byte: a shape (rank + dims) is declared. Other bits are reserved. */
export const TENSOR_FLAG_SHAPE = 0x01;

/** Names of the index codes (the position encodings of a tensor section). */
export type IndexCodeName = 'coo' | 'csr' | 'bitmap' | 'rle' | 'varint' | 'rice';
/** Names of the value codes (the value encodings of a tensor section). */
export type ValueCodeName = 'f32' | 'f16' | 'bf16' | 'int8' | 'ternary';

/** Index code ids in id order; `auto` breaks size ties by this order (lower id first). */
export const INDEX_CODE_NAMES: readonly IndexCodeName[] = ['coo', 'csr', 'bitmap', 'rle', 'varint', 'rice'];
/** Value code ids in id order. */
export const VALUE_CODE_NAMES: readonly ValueCodeName[] = ['f32', 'f16', 'bf16', 'int8', 'ternary'];

/** Method ids 0..7 (element-wise methods; see docs/selection.md). */
export const METHOD_NAMES: readonly Method[] = [
  'topk',
  'threshold',
  'percentile',
  'randomk',
  'probabilistic',
  'approx-topk',
  'global-topk',
  'hybrid',
];

/** Method ids 16..22 of the structured methods (docs/wire-format.md, "Identifier tables"). */
export const STRUCTURED_METHOD_IDS: Readonly<Record<StructuredMethod, number>> = {
  block: 16,
  channel: 17,
  head: 18,
  row: 19,
  column: 20,
  nm: 21,
  mask: 22,
};

/**
 * The structured method ids (formerly reserved, now valid in version 1).
 * @deprecated Use {@link STRUCTURED_METHOD_IDS}.
 */
export const RESERVED_STRUCTURED_METHOD_IDS: Readonly<Record<string, number>> = STRUCTURED_METHOD_IDS;

/** Id of an index code name. */
export function indexCodeId(name: IndexCodeName): number {
  return INDEX_CODE_NAMES.indexOf(name);
}

/** Id of a value code name. */
export function valueCodeId(name: ValueCodeName): number {
  return VALUE_CODE_NAMES.indexOf(name);
}

/** Id of a method name (element-wise 0..7, structured 16..22), or -1 for an unknown name. */
export function methodId(name: string): number {
  const e = (METHOD_NAMES as readonly string[]).indexOf(name);
  if (e >= 0) return e;
  return Object.prototype.hasOwnProperty.call(STRUCTURED_METHOD_IDS, name) ? STRUCTURED_METHOD_IDS[name as StructuredMethod] : -1;
}

/** Method name of an id (0..7, 16..22), or undefined for an unknown or reserved id. */
export function methodName(id: number): Method | StructuredMethod | undefined {
  if (id >= 0 && id < METHOD_NAMES.length) return METHOD_NAMES[id];
  return (Object.keys(STRUCTURED_METHOD_IDS) as StructuredMethod[]).find((m) => STRUCTURED_METHOD_IDS[m] === id);
}
