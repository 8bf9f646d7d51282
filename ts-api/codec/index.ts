/**
 * The wire format codec (docs/wire-format.md): frames, index codes, value codes, checksums.
 */
export {
  encodeFrame, decodeFrame, densify,
  type EncodeTensor, type EncodeOptions, type FrameUpdate, type DecodedTensor, type DecodedFrame, type DecodeLimits,
  type DecodeState,
} from './frame.ts';
export {
  UNIT_NAMES, TENSOR_FLAG_MASK, NM_MAX_GROUP, methodUnitOfId, rectGrid as unitGrid, rectElements, rankUnitDims,
  nmRowWidth, nmCount, type UnitName, type RectGrid as UnitGrid,
} from './units.ts';
export { inspectFrame, log2Binomial, type FrameSummary, type TensorSummary } from './inspect.ts';
export {
  quantizeValues, chooseIndexCode, INDEX_CODECS, VALUE_CODECS,
  type IndexCodeChoice, type IndexChoice, type IndexCodec, type ValueCodec, type IndexGeometry,
} from './codes.ts';
export {
  FORMAT_VERSION, MAGIC, HEADER_BYTES, TRAILER_BYTES, MAX_NAME_BYTES, MAX_RANK, INDEX_CODE_NAMES, VALUE_CODE_NAMES,
  METHOD_NAMES, STRUCTURED_METHOD_IDS, RESERVED_STRUCTURED_METHOD_IDS, methodId, methodName,
  type IndexCodeName, type ValueCodeName,
} from './ids.ts';
export type { FormatErrorCode } from './bytes.ts';
export { crc32c, crc32cUpdate } from './crc32c.ts';
export { varintSize, writeVarint, readVarint, type VarintResult } from './varint.ts';
export { BitReader, BitWriter } from './bitio.ts';
export {
  f32ToF16Bits, f32ToF16BitsSat, f16BitsToF32, f32ToBf16Bits, f32ToBf16BitsSat, bf16BitsToF32,
  isF16NonFinite, isBf16NonFinite,
} from './f16.ts';
export { riceParameter, riceSize, RICE_MAX_B } from './index_rice.ts';
export { int8Scale, int8Level, roundHalfEven } from './values_int8.ts';
export { ternaryMagnitude, blockedAbsSum } from './values_ternary.ts';
