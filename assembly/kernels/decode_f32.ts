/**
 * Decoder of value code `f32` (id 0; docs/wire-format.md, "f32"): k bit patterns copied as they
 * are (NaN payloads included); unless non-finite values are allowed, the first NaN/±Inf →
 * E_NONFINITE_VALUE at its offset (SIMD scan).
 */
import { E_NONFINITE_VALUE, formatFail } from '../util/format_errors';
import { firstNonFinite } from './encode_check';

/** Decodes k f32 values at offset `start` into `out`; 0 or an error code. */
export function f32Decode(base: usize, start: u32, k: u32, allowNonFinite: bool, out: usize): i32 {
  memory.copy(out, base + <usize>start, <usize>k << 2);
  if (!allowNonFinite) {
    const j = firstNonFinite(out, 0, k);
    if (j < k) return formatFail(E_NONFINITE_VALUE, start + (j << 2));
  }
  return 0;
}
