/**
 * Rules of the frame (docs/wire-format.md, "Tensor section") that the encoder and the decoder both
 * apply: the unit a method id implies, the element count a shape declares, and the exact value
 * payload size of a value code.
 */

/** The unit of a method id (0..7: 0, 16..20: 1, 21: 2, 22: 3), or 4 (no unit) for other ids. */
// @ts-ignore: decorator
@inline export function methodUnit(method: u32): u32 {
  if (method < 8) return 0;
  if (method >= 16 && method <= 20) return 1;
  if (method == 21) return 2;
  return method == 22 ? 3 : 4;
}

/** Exact product of the `rank` u32 dims at `dims` (may be unaligned), saturated at 2^32; 0 if any dim is 0. */
export function dimsProduct(dims: usize, rank: u32): u64 {
  let prod: u64 = 1;
  for (let d: u32 = 0; d < rank; d++) {
    const v = <u64>load<u32>(dims + (<usize>d << 2));
    if (v == 0) return 0;
    prod *= v;
    if (prod > 0xffffffff) prod = 0x100000000;
  }
  return prod;
}

/** Exact payload bytes of `count` values in value code `vc` (0..4: f32, f16, bf16, int8, ternary). */
// @ts-ignore: decorator
@inline export function valueBytes(vc: u32, count: u64): u64 {
  return vc == 0 ? count << 2 : vc == 3 ? count : vc == 4 ? (count + 7) >> 3 : count << 1;
}
