/**
 * Index code `bitmap` (id 2; docs/wire-format.md, "bitmap"): one bit per dense position,
 * LSB-first (position i is bit i mod 8 of byte floor(i / 8)); pad bits zero.
 * Payload: exactly ceil(n / 8) bytes.
 */

/** Exact payload bytes of `bitmap` for dense length n. */
export function bitmapSize(n: u32): u64 {
  return (<u64>n + 7) >> 3;
}

/** Writes the bitmap of ascending `idx[0, k)` over n positions at `dst`; returns the end. */
export function bitmapEncode(dst: usize, idx: usize, k: u32, n: u32): usize {
  const size = <usize>bitmapSize(n);
  memory.fill(dst, 0, size);
  for (let j: u32 = 0; j < k; j++) {
    const i = load<u32>(idx + (<usize>j << 2));
    const a = dst + <usize>(i >> 3);
    store<u8>(a, load<u8>(a) | (<u8>1 << <u8>(i & 7)));
  }
  return dst + size;
}
