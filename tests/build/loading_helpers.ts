/** Re-exports for the loading tests. */
export { loadCore, simdSupported, sharedWasmBytes, wasmBytes as wasmBytesForTest } from '../../ts-api/backends/wasm/core.ts';
export { buildHash, createCompressor, SparsegradError } from '../../ts-api/index.ts';
