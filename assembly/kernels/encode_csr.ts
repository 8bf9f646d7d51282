/**
 * Index code `csr` (id 1; docs/wire-format.md, "csr") for a tensor declared with a rank-2 shape
 * [R, C]: R + 1 row pointers (u32; ptr[r] = number of kept indices below r·C), then the k column
 * indices (u32, index mod C) in index order. Payload: exactly 4·(R + 1) + 4·k bytes.
 * Encoding walks rows and indices together (O(R + k), no division).
 */

/** Exact payload bytes of `csr` for `rows` rows and k indices. */
export function csrSize(rows: u32, k: u32): u64 {
  return ((<u64>rows + 1) << 2) + (<u64>k << 2);
}

/** Writes the `csr` payload of ascending `idx[0, k)` in a rows × cols tensor at `dst`; returns the end. */
export function csrEncode(dst: usize, idx: usize, k: u32, rows: u32, cols: u32): usize {
  let p = dst;
  let j: u32 = 0;
  for (let r: u32 = 0; r < rows; r++) {
    store<u32>(p, j);
    p += 4;
    const limit = (<u64>r + 1) * <u64>cols;
    while (j < k && <u64>load<u32>(idx + (<usize>j << 2)) < limit) j++;
  }
  store<u32>(p, k);
  p += 4;
  let rowStart: u64 = 0;
  for (let t: u32 = 0; t < k; t++) {
    const i = <u64>load<u32>(idx + (<usize>t << 2));
    while (i >= rowStart + <u64>cols) rowStart += <u64>cols;
    store<u32>(p, <u32>(i - rowStart));
    p += 4;
  }
  return p;
}
