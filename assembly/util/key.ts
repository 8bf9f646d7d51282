/** Magnitude keys and float bit helpers shared by the selection kernels. */

/** Sign-bit mask: `bits(x) & ABS_MASK` is the magnitude key of x. */
export const ABS_MASK: u32 = 0x7fffffff;
/** Smallest magnitude key of a non-finite f32 (+Inf); NaNs have larger keys. */
export const NONFINITE_KEY: u32 = 0x7f800000;

/** Magnitude key: the bits of |x| as u32. Orders like |x| for finite x; +0 and -0 give 0. */
// @ts-ignore: decorator
@inline export function absKey(x: f32): u32 {
  return reinterpret<u32>(x) & ABS_MASK;
}

/** Float total-order key (AssemblyScript std): orders all f32 bit patterns like their values. */
// @ts-ignore: decorator
@inline export function totalOrderKey(x: f32): i32 {
  const i = reinterpret<i32>(x);
  return i ^ ((i >> 31) >>> 1);
}

/** Loads element i of an f32 array. */
// @ts-ignore: decorator
@inline export function loadF32(p: usize, i: u32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

/** Stores element i of an f32 array. */
// @ts-ignore: decorator
@inline export function storeF32(p: usize, i: u32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

/** Loads element i of a u32 array. */
// @ts-ignore: decorator
@inline export function loadU32(p: usize, i: u32): u32 {
  return load<u32>(p + (<usize>i << 2));
}

/** Stores element i of a u32 array. */
// @ts-ignore: decorator
@inline export function storeU32(p: usize, i: u32, v: u32): void {
  store<u32>(p + (<usize>i << 2), v);
}

/** acc[i] = s[i] + r[i] when a residual is given (r != 0), else s[i]. */
// @ts-ignore: decorator
@inline export function accAt(s: usize, r: usize, i: u32): f32 {
  return r ? loadF32(s, i) + loadF32(r, i) : loadF32(s, i);
}

/** acc at element i: s[i] + r[i] stored over s when r != 0, else s[i]. */
// @ts-ignore: decorator
@inline export function accStore(s: usize, r: usize, i: u32): f32 {
  let a = loadF32(s, i);
  if (r) {
    a += loadF32(r, i);
    storeF32(s, i, a);
  }
  return a;
}
