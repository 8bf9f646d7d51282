/**
 * LSB-first bit streams (docs/wire-format.md, "Conventions", Bit streams): stream bit `p` is bit
 * `p mod 8` (value `1 << (p mod 8)`) of byte `floor(p / 8)`; a field of width `w` written at stream
 * position `p` puts its bit `t` at position `p + t`; the stream is zero-padded to a whole byte.
 *
 * The writer keeps fewer than 8 pending bits between calls and stores its 64-bit accumulator with
 * one unaligned 8-byte store per call, so up to 8 bytes past the current position are scratch: the
 * buffer needs 8 writable bytes of slack after the stream's end. Hot loops copy the state into
 * locals with the same three steps (or, shift, store + advance).
 */

/** Next byte the writer stores to. */
export let bwPtr: usize = 0;
/** Pending bits (the low `bwBits` bits are meaningful, the rest zero). */
export let bwAcc: u64 = 0;
/** Number of pending bits, 0..7 between calls. */
export let bwBits: u32 = 0;

/** Starts a stream at byte `p`. */
export function bwStart(p: usize): void {
  bwPtr = p;
  bwAcc = 0;
  bwBits = 0;
}

/** Resumes a stream whose state a caller kept in locals: next byte `p`, `bits` (< 8) pending in `acc`. */
export function bwResume(p: usize, acc: u64, bits: u32): void {
  bwPtr = p;
  bwAcc = acc;
  bwBits = bits;
}

/** Appends the low `w` bits of `v` (`w` ≤ 56; bits of `v` above `w` must be zero). */
// @ts-ignore: decorator
@inline export function bwPut(v: u64, w: u32): void {
  const acc = bwAcc | (v << bwBits);
  const bits = bwBits + w;
  store<u64>(bwPtr, acc);
  const whole = bits >> 3;
  bwPtr += whole;
  bwAcc = acc >> (<u64>whole << 3);
  bwBits = bits & 7;
}

/** Appends `count` zero bits (any count). */
export function bwZeros(count: u64): void {
  let c = count;
  while (c > 56) {
    bwPut(0, 56);
    c -= 56;
  }
  bwPut(0, <u32>c);
}

/** Ends the stream (the pending bits were already stored, zero-padded); returns the end position. */
export function bwFinish(): usize {
  const end = bwBits ? bwPtr + 1 : bwPtr;
  bwAcc = 0;
  bwBits = 0;
  return end;
}

/**
 * The 64 stream bits starting at byte offset `byte` of the buffer at `base`, with bytes at or past
 * `end` read as zero (never loaded): bit t of the result is stream bit 8·byte + t.
 */
// @ts-ignore: decorator
@inline export function peekBits64(base: usize, byte: u32, end: u32): u64 {
  if (<u64>byte + 8 <= <u64>end) return load<u64>(base + <usize>byte);
  return peekBitsTail(base, byte, end);
}

/** peekBits64 within 8 bytes of the end. */
export function peekBitsTail(base: usize, byte: u32, end: u32): u64 {
  let w: u64 = 0;
  for (let i: u32 = 0; i < 8 && byte + i < end; i++) w |= <u64>load<u8>(base + <usize>(byte + i)) << (<u64>i << 3);
  return w;
}
