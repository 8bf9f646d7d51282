/** Re-exports for the loading tests. */
export { loadCore, simdSupported, wasmBytes as wasmBytesForTest } from '../../ts-api/backends/wasm/core.ts';
export { createCompressor, SparsegradError } from '../../ts-api/index.ts';
