/**
 * Value code `ternary` (id 4; docs/wire-format.md, "ternary"): Sparse Ternary Compression
 * (F. Sattler, S. Wiedemann, K.-R. Müller, W. Samek, "Robust and Communication-Efficient Federated
 * Learning from Non-IID Data", IEEE TNNLS 31(9), 2020). One magnitude
 * mu = f32(blockedSum(|v|) / f32(k)) (the documented reduction order of util/reduce.ts; 0 for
 * k = 0; +Inf saturates to the largest finite f32), then one sign bit per value, LSB-first.
 * SIMD: the sign bits of eight values per byte from two lane bitmasks.
 */
import { blockedSumAbs } from '../util/reduce';

/** Exact payload bytes of `ternary` for k values (the magnitude is the value parameter). */
export function ternarySize(k: u32): u64 {
  return (<u64>k + 7) >> 3;
}

/** The STC magnitude of finite `val[0, k)`. */
export function ternaryMagnitude(val: usize, k: u32): f32 {
  if (k == 0) return 0;
  const mu = blockedSumAbs(val, k, 0, false) / <f32>k;
  return isFinite<f32>(mu) ? mu : reinterpret<f32>(0x7f7fffff);
}

/** Writes the sign bits of `val[0, k)` at `dst`; returns the end. */
export function ternaryEncode(dst: usize, val: usize, k: u32): usize {
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 8 <= k; j += 8) {
      const p = val + (<usize>j << 2);
      const bits = i32x4.bitmask(v128.load(p)) | (i32x4.bitmask(v128.load(p, 16)) << 4);
      store<u8>(dst + <usize>(j >> 3), <u8>bits);
    }
  }
  if (j < k) {
    let byte: u32 = 0;
    for (let t: u32 = 0; j < k; j++, t++) {
      byte |= (load<u32>(val + (<usize>j << 2)) >> 31) << (t & 7);
      if ((t & 7) == 7) {
        store<u8>(dst + <usize>(j >> 3), <u8>byte);
        byte = 0;
      }
    }
    if (k & 7) store<u8>(dst + <usize>((k - 1) >> 3), <u8>byte);
  }
  return dst + <usize>ternarySize(k);
}
