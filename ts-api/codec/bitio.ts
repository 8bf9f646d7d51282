/**
 * LSB-first bit streams (docs/wire-format.md, "Bit streams"): stream bit `p` is bit `p mod 8`
 * (value `1 << (p mod 8)`) of byte `floor(p / 8)`. A multi-bit field of width `w` written at stream
 * position `p` puts its bit `t` (value `2^t`) at stream position `p + t`. The last byte is padded
 * with zero bits.
 */

/** Writes an LSB-first bit stream into `out` starting at byte `pos`. */
export class BitWriter {
  /** Pending bits not yet stored (fewer than 8 between calls). */
  private acc = 0;
  /** Number of pending bits. */
  private n = 0;
  /** Next byte to store. */
  private p: number;
  private readonly out: Uint8Array;

  /** @param out destination; @param pos first byte of the stream. */
  constructor(out: Uint8Array, pos: number) {
    this.out = out;
    this.p = pos;
  }

  /** Append the low `bits` bits of `value` (0 ≤ bits ≤ 32), lowest bit first. */
  write(value: number, bits: number): void {
    if (bits > 16) {
      this.write(value & 0xffff, 16);
      this.write(Math.floor((value >>> 0) / 65536), bits - 16);
      return;
    }
    if (bits === 0) return;
    this.acc |= (value & ((1 << bits) - 1)) << this.n;
    this.n += bits;
    while (this.n >= 8) {
      this.out[this.p++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.n -= 8;
    }
  }

  /** Append `count` zero bits (any count; whole zero bytes are stored directly). */
  writeZeros(count: number): void {
    let c = count;
    if (c >= 8 - this.n && this.n > 0) {
      const head = 8 - this.n;
      this.write(0, head);
      c -= head;
    }
    if (this.n === 0 && c >= 8) {
      const whole = Math.floor(c / 8);
      this.out.fill(0, this.p, this.p + whole);
      this.p += whole;
      c -= whole * 8;
    }
    this.write(0, c);
  }

  /** Store the pending bits padded with zeros; returns the position after the stream's last byte. */
  finish(): number {
    if (this.n > 0) {
      this.out[this.p++] = this.acc & 0xff;
      this.acc = 0;
      this.n = 0;
    }
    return this.p;
  }
}

/** Reads an LSB-first bit stream from `bytes[start, end)`. Callers check {@link bitsLeft}. */
export class BitReader {
  private readonly b: Uint8Array;
  private readonly end: number;
  /** Current byte. */
  bytePos: number;
  /** Bit offset within the current byte (0..7). */
  bitOff = 0;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.b = bytes;
    this.bytePos = start;
    this.end = end;
  }

  /** Bits left before `end`. */
  bitsLeft(): number {
    return (this.end - this.bytePos) * 8 - this.bitOff;
  }

  /** Read `count` bits (0 ≤ count ≤ 32, at most {@link bitsLeft}); bit t of the result is stream bit p + t. */
  read(count: number): number {
    let v = 0;
    let got = 0;
    while (got < count) {
      const take = Math.min(8 - this.bitOff, count - got);
      const bits = (this.b[this.bytePos] >>> this.bitOff) & ((1 << take) - 1);
      v += bits * 2 ** got;
      got += take;
      this.bitOff += take;
      if (this.bitOff === 8) {
        this.bitOff = 0;
        this.bytePos++;
      }
    }
    return v;
  }

  /**
   * Count zero bits up to and including the next one bit (the unary quotient of a Rice code word).
   * Returns the number of zeros, or -1 when the stream ends before a one bit (position then at end).
   */
  readUnary(): number {
    let q = 0;
    while (this.bytePos < this.end) {
      const cur = this.b[this.bytePos] >>> this.bitOff;
      if (cur !== 0) {
        const tz = 31 - Math.clz32(cur & -cur);
        q += tz;
        this.bitOff += tz + 1;
        if (this.bitOff === 8) {
          this.bitOff = 0;
          this.bytePos++;
        }
        return q;
      }
      q += 8 - this.bitOff;
      this.bitOff = 0;
      this.bytePos++;
    }
    return -1;
  }
}
