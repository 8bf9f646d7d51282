/**
 * Float32 primitives of the scalar reference: the magnitude key and single-rounding f32 arithmetic.
 *
 * Normative source: docs/selection.md, "Notation". The key is the IEEE-754 binary32 bit pattern with
 * the sign cleared, so that for finite values integer order equals `|x|` order (the float
 * total-order trick used by AssemblyScript's std, `i ^ ((i >> 31) >>> 1)`, restricted to
 * magnitudes); `+0` and `-0` both have key 0.
 *
 * Every helper here rounds exactly once. Computing `a op b` in f64 and then `Math.fround` is the
 * correctly rounded binary32 result for `+ - * /`, because binary64 has more than 2·24 + 2 bits of
 * precision (Figueroa, "When is double rounding innocuous?", SIGNUM 1995).
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/**
 * The binary32 bit pattern of `x` as an unsigned 32-bit integer (`x` is first rounded to f32).
 * See docs/selection.md, "Notation".
 */
export function f32Bits(x: number): number {
  scratchF32[0] = x;
  return scratchU32[0];
}

/**
 * The magnitude key `bits(x) & 0x7fffffff` (docs/selection.md, "Notation"): orders like `|x|` for
 * finite `x`; `key(+0) = key(-0) = 0`; `x` is rounded to f32 first. Result is in `[0, 2^31)`.
 */
export function magnitudeKey(x: number): number {
  return (f32Bits(x) & 0x7fffffff) >>> 0;
}

/** The magnitude keys of every element of `values` (docs/selection.md, "Notation"). */
export function magnitudeKeys(values: Float32Array): Uint32Array {
  const keys = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) keys[i] = magnitudeKey(values[i]);
  return keys;
}

/** Round an f64 to the nearest binary32 (ties to even): `Math.fround`. */
export function f32(x: number): number {
  return Math.fround(x);
}

/** One binary32 addition, rounded once (docs/selection.md, "Notation"). */
export function f32Add(a: number, b: number): number {
  return Math.fround(a + b);
}

/** One binary32 subtraction, rounded once (docs/selection.md, "Notation"). */
export function f32Sub(a: number, b: number): number {
  return Math.fround(a - b);
}

/** One binary32 multiplication, rounded once (no fused multiply-add; docs/selection.md). */
export function f32Mul(a: number, b: number): number {
  return Math.fround(a * b);
}

/** One binary32 division, rounded once (docs/selection.md, "Notation"). */
export function f32Div(a: number, b: number): number {
  return Math.fround(a / b);
}
