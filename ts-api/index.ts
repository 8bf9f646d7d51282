/**
 * sparsegrad: gradient and model-update sparsification with error feedback.
 * Public API barrel. See docs/api.md.
 */
export { createCompressor, Compressor, densify } from './compressor.ts';
export type { TensorInput, StepOptions } from './compressor.ts';
export type { CompressorOptions, TensorOptions } from './config.ts';
export { loadCore, WasmCore, simdSupported, sharedMemorySupported, buildHash } from './backends/wasm/core.ts';
export type { CoreOptions, F32Block, SimdChoice } from './backends/wasm/core.ts';
export * from './errors.ts';
export type * from './types.ts';
export { kFromDensity } from './reference/density.ts';
export { encodeFrame, decodeFrame, inspectFrame, quantizeValues } from './codec/index.ts';
export type { DecodedFrame, DecodedTensor, DecodeLimits, DecodeState, EncodeTensor, FrameUpdate, FrameSummary } from './codec/index.ts';
export { proposeDensities } from './schedules/layerwise.ts';
export type { DensitySchedule } from './schedules/density_schedule.ts';
export type { AdaptiveOptions } from './schedules/adaptive.ts';
export { encodeFrameWasm, decodeFrameWasm } from './backends/wasm/codec.ts';
