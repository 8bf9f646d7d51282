/**
 * DGC compensation kernels (Lin et al., "Deep Gradient Compression", ICLR 2018): momentum
 * correction u = m·u + g (selection then runs on v + u, v being the residual), local gradient
 * clipping by a precomputed scale, and residual decay. Element-wise f32, one rounding per
 * operation, so the SIMD and scalar builds and the reference agree to the bit.
 */
import { loadF32, storeF32 } from '../util/key';

/**
 * u2 = m·u + scale·s and s = u2 (s then feeds the selection kernel as the new momentum, to which
 * the kernel adds the residual). u is only read, so a failed step keeps it.
 */
export function momentumCorrect(s: usize, u: usize, u2: usize, n: u32, m: f32, scale: f32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    const mv = f32x4.splat(m);
    const sv = f32x4.splat(scale);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const g = f32x4.mul(v128.load(s + o), sv);
      const nu = f32x4.add(f32x4.mul(mv, v128.load(u + o)), g);
      v128.store(u2 + o, nu);
      v128.store(s + o, nu);
    }
  }
  for (; i < n; i++) {
    const g = loadF32(s, i) * scale;
    const nu = m * loadF32(u, i) + g;
    storeF32(u2, i, nu);
    storeF32(s, i, nu);
  }
}

/** p[i] = p[i] · factor. */
export function scaleInPlace(p: usize, n: u32, factor: f32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    const fv = f32x4.splat(factor);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(p + o, f32x4.mul(v128.load(p + o), fv));
    }
  }
  for (; i < n; i++) storeF32(p, i, loadF32(p, i) * factor);
}

/** p[idx[j]] = 0 for j < count (momentum-factor masking at the sent positions). */
export function zeroAt(p: usize, idx: usize, count: u32): void {
  for (let j: u32 = 0; j < count; j++) storeF32(p, load<u32>(idx + (<usize>j << 2)), 0);
}
