/**
 * Value code `f32` (id 0; docs/wire-format.md, "f32"): each value's binary32 pattern as a u32 LE —
 * the Wasm memory layout of the value array itself. Lossless. Payload: exactly 4·k bytes.
 */

/** Writes `val[0, k)` at `dst`; returns the end. */
export function f32Encode(dst: usize, val: usize, k: u32): usize {
  memory.copy(dst, val, <usize>k << 2);
  return dst + (<usize>k << 2);
}
