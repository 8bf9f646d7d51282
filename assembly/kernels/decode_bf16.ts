/**
 * Decoder of value code `bf16` (id 2; docs/wire-format.md, "bf16"): the f32 with pattern h << 16
 * (exact); an exponent of all ones → E_NONFINITE_VALUE at the value's offset unless allowed.
 * SIMD: eight values per step, scalar hand-over at a non-finite value.
 */
import { E_NONFINITE_VALUE, formatFail } from '../util/format_errors';

/** Decodes k bf16 values at offset `start` into `out`; 0 or an error code. */
export function bf16Decode(base: usize, start: u32, k: u32, allowNonFinite: bool, out: usize): i32 {
  const src = base + <usize>start;
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const em = i16x8.splat(0x7f80);
    for (; j + 8 <= k; j += 8) {
      const h = v128.load(src + (<usize>j << 1));
      if (!allowNonFinite && v128.any_true(i16x8.eq(v128.and(h, em), em))) break;
      const d = out + (<usize>j << 2);
      v128.store(d, i32x4.shl(i32x4.extend_low_i16x8_u(h), 16));
      v128.store(d, i32x4.shl(i32x4.extend_high_i16x8_u(h), 16), 16);
    }
  }
  for (; j < k; j++) {
    const h = <u32>load<u16>(src + (<usize>j << 1));
    if (!allowNonFinite && (h & 0x7f80) == 0x7f80) return formatFail(E_NONFINITE_VALUE, start + (j << 1));
    store<u32>(out + (<usize>j << 2), h << 16);
  }
  return 0;
}
