/**
 * The two 16-bit float value codes, one u16 LE per value (payload: exactly 2·k bytes), round to
 * nearest even, finite overflow saturated; lossy: the sender treats `quantize`'s result as the
 * value sent (docs/wire-format.md, "f16", "bf16"):
 * - `f16` (id 1): IEEE 754-2008 binary16, subnormals kept, saturated to ±65504;
 * - `bf16` (id 2): bfloat16 (the upper half of an f32), saturated to ±0x7F7F.
 * The conversions are ts-api/codec/f16.ts; {@link halfCodec} makes a code's ValueCodec from them.
 */
import { fail, readU16, writeU16 } from './bytes.ts';
import type { ValueCodec } from './codes.ts';
import {
  bf16BitsToF32, f16BitsToF32, f32ToBf16BitsSat, f32ToF16BitsSat, isBf16NonFinite, isF16NonFinite,
} from './f16.ts';

/** A 16-bit float format: saturating f32 → bits, bits → f32, and its NaN/±Inf test. */
export interface HalfFormat {
  /** The format's bits of `x`, round to nearest even, finite overflow saturated. */
  toBits(x: number): number;
  /** The f32 value (as a JS number) of the format's bits `h`. */
  toF32(h: number): number;
  /** True when bits `h` are NaN or ±Inf. */
  nonFinite(h: number): boolean;
}

/** IEEE 754-2008 binary16. */
export const F16: HalfFormat = { toBits: f32ToF16BitsSat, toF32: f16BitsToF32, nonFinite: isF16NonFinite };

/** bfloat16. */
export const BF16: HalfFormat = { toBits: f32ToBf16BitsSat, toF32: bf16BitsToF32, nonFinite: isBf16NonFinite };

/** The value codec of a 16-bit code: `name` in format `fmt`, no parameter. */
export function halfCodec(name: 'f16' | 'bf16', fmt: HalfFormat): ValueCodec {
  return {
    name,
    paramBytes: 0,
    param: () => 0,
    size: (k) => 2 * k,
    quantize(values) {
      const out = new Float32Array(values.length);
      for (let j = 0; j < values.length; j++) out[j] = fmt.toF32(fmt.toBits(values[j]));
      return out;
    },
    encode(values, _param, out, pos) {
      let p = pos;
      for (let j = 0; j < values.length; j++) p = writeU16(out, p, fmt.toBits(values[j]));
      return p;
    },
    /** NaN/±Inf → E_NONFINITE_VALUE at the value's offset unless allowed. */
    decode(b, start, k, _param, allowNonFinite) {
      const out = new Float32Array(k);
      for (let j = 0, p = start; j < k; j++, p += 2) {
        const h = readU16(b, p);
        if (!allowNonFinite && fmt.nonFinite(h)) fail('E_NONFINITE_VALUE', p, `value ${j} is NaN or infinite`);
        out[j] = fmt.toF32(h);
      }
      return out;
    },
  };
}
