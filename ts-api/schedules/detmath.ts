/**
 * Deterministic elementary functions for schedules. `Math.exp`, `Math.log`, `Math.cos` and
 * `Math.pow` are not required to round identically across JavaScript engines (ECMA-262 leaves them
 * implementation-approximated), and a schedule's density decides k, which must be the same in V8,
 * SpiderMonkey and JavaScriptCore. These versions use only +, −, ×, ÷ (correctly rounded
 * everywhere) in a fixed order, so every engine computes the same f64. Accuracy: a few ulp.
 * (Range reduction plus Taylor / atanh series, as in Muller, "Elementary Functions", 2016.)
 */

const LN2 = 0.6931471805599453;
/** ln 2 split for exact range reduction (Cody and Waite; the fdlibm constants). */
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const PI = 3.141592653589793;

/** Splits x > 0 into m · 2^e with m in [1, 2), exactly (multiplications by 2 are exact). */
function frexp(x: number): [number, number] {
  let e = 0;
  let m = x;
  while (m >= 2) {
    m /= 2;
    e++;
  }
  while (m < 1) {
    m *= 2;
    e--;
  }
  return [m, e];
}

/** Natural logarithm of x > 0. */
export function detLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`detLog: argument must be positive and finite, got ${x}`);
  let [m, e] = frexp(x);
  if (m > 1.4142135623730951) {
    m /= 2;
    e++;
  }
  // log(m) = 2·atanh(t), t = (m − 1)/(m + 1), |t| ≤ 0.1716.
  const t = (m - 1) / (m + 1);
  const t2 = t * t;
  let term = t;
  let sum = 0;
  for (let k = 1; k < 60; k += 2) {
    sum += term / k;
    term *= t2;
  }
  return 2 * sum + e * LN2;
}

/** e^x for finite x (underflows to 0, overflows to Infinity). */
export function detExp(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`detExp: argument must be finite, got ${x}`);
  if (x > 709.8) return Infinity;
  if (x < -745.2) return 0;
  const k = Math.round(x / LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < 30; i++) {
    term = (term * r) / i;
    sum += term;
  }
  let out = sum;
  const twoPow = k >= 0 ? 2 : 0.5;
  for (let i = 0; i < Math.abs(k); i++) out *= twoPow;
  return out;
}

/** a^b for a > 0. */
export function detPow(a: number, b: number): number {
  if (b === 0) return 1;
  return detExp(b * detLog(a));
}

/** cos(x) for |x| <= 2π (schedules need [0, π]; no large-argument reduction is attempted). */
export function detCos(x: number): number {
  if (!(Math.abs(x) <= 2 * PI)) throw new RangeError(`detCos: argument must be in [-2π, 2π], got ${x}`);
  let y = Math.abs(x);
  if (y > PI) y = 2 * PI - y;
  // Taylor series on [0, π]: terms fall below 1e-17 after ~24 terms.
  const y2 = y * y;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < 30; i++) {
    term = (-term * y2) / ((2 * i - 1) * (2 * i));
    sum += term;
  }
  return sum;
}
