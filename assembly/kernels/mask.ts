/**
 * Learned-mask kernels: an exponential moving average of |g| that scores positions, and selection
 * at a given, fixed set of positions (the mask) with fused error feedback. A mask refreshed every M
 * steps from such scores fixes the sparsity pattern between refreshes, so only values travel
 * (masks learned from accumulated magnitudes: e.g. Aji & Heafield, "Sparse Communication for
 * Distributed Gradient Descent", EMNLP 2017; fixed supports: Sattler et al., STC, 2019).
 */
import { loadF32, loadU32, storeF32 } from '../util/key';
import { resultCount, resultPush, resultReserve } from '../util/scratch';
import { accumulateCollect } from './accumulate';
import { candReset } from '../util/scratch';

/** e2 = beta·e + omb·|s| (omb = 1 − beta, given as f32 by the caller); e is only read. */
export function emaAbs(e: usize, e2: usize, s: usize, n: u32, beta: f32, omb: f32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    const bv = f32x4.splat(beta);
    const ov = f32x4.splat(omb);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(e2 + o, f32x4.add(f32x4.mul(bv, v128.load(e + o)), f32x4.mul(ov, f32x4.abs(v128.load(s + o)))));
    }
  }
  for (; i < n; i++) storeF32(e2, i, beta * loadF32(e, i) + omb * abs<f32>(loadF32(s, i)));
}

/**
 * acc = s + r over s, then keeps exactly the `count` ascending positions at idx (sent = acc, the
 * residual there becomes +0). Returns count, or -1 when acc holds a non-finite element.
 */
export function selectAt(s: usize, r: usize, n: u32, idx: usize, count: u32): i32 {
  candReset(0, 0);
  if (!accumulateCollect(s, r, n, 0xffffffff)) return -1;
  resultReserve(count);
  for (let j: u32 = 0; j < count; j++) {
    const i = loadU32(idx, j);
    const a = loadF32(s, i);
    resultPush(i, a);
    if (r) storeF32(s, i, 0);
  }
  return <i32>resultCount;
}
