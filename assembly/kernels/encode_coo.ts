/**
 * Index code `coo` (id 0; docs/wire-format.md, "coo"): each kept index as a u32, little-endian,
 * ascending. Payload: exactly 4·k bytes (the Wasm memory layout of the index array itself).
 */

/** Exact payload bytes of `coo` for k indices. */
export function cooSize(k: u32): u64 {
  return <u64>k << 2;
}

/** Writes the `coo` payload of `idx[0, k)` at `dst`; returns the end. */
export function cooEncode(dst: usize, idx: usize, k: u32): usize {
  memory.copy(dst, idx, <usize>k << 2);
  return dst + (<usize>k << 2);
}
