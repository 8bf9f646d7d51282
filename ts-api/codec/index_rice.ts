/**
 * Index code `rice` (id 5): Golomb-Rice code of the gaps (S. W. Golomb, "Run-length encodings",
 * IEEE Trans. Information Theory 12(3), 1966; R. F. Rice, "Some practical universal noiseless coding
 * techniques", JPL Publication 79-22, 1979). Normative: docs/wire-format.md, "rice".
 *
 * Gaps as for `varint`: `g_j = i_j - i_{j-1} - 1` with `i_{-1} = -1`. With parameter `b` (0..31),
 * `g = q·2^b + r`; the code word is `q` zero bits, one 1 bit, then `r` in `b` bits (its bit t at
 * stream position p + t), in an LSB-first bit stream (see bitio.ts), zero-padded to a whole byte.
 * The parameter byte `b` precedes the payload.
 */
import { BitReader, BitWriter } from './bitio.ts';
import { fail } from './bytes.ts';

/** Largest Rice parameter. */
export const RICE_MAX_B = 31;

/**
 * The encoder's Rice parameter (integer arithmetic only): with `S = i_{k-1} + 1 - k` (the sum of the
 * gaps), `b` is the largest value in 0..31 with `k·2^b ≤ S`, or 0 when `S < k` or `k = 0`
 * (i.e. `b = floor(log2(S / k))` clamped to [0, 31]). This matches the optimal Rice parameter for
 * geometric gaps of mean `S/k` (Kiely 2004) across the densities that matter.
 */
export function riceParameter(indices: Uint32Array): number {
  const k = indices.length;
  if (k === 0) return 0;
  const s = indices[k - 1] + 1 - k;
  let b = 0;
  while (b < RICE_MAX_B && k * 2 ** (b + 1) <= s) b++;
  return b;
}

/** Exact payload bytes (excluding the parameter byte) of `rice` with parameter `b`. */
export function riceSize(indices: Uint32Array, b: number): number {
  let bits = 0;
  let prev = -1;
  for (let j = 0; j < indices.length; j++) {
    const g = indices[j] - prev - 1;
    bits += (g >>> b) + 1 + b;
    prev = indices[j];
  }
  return Math.ceil(bits / 8);
}

/** Write the Rice code words of ascending `indices` with parameter `b` at `pos`; returns the end. */
export function riceEncode(indices: Uint32Array, b: number, out: Uint8Array, pos: number): number {
  const w = new BitWriter(out, pos);
  let prev = -1;
  for (let j = 0; j < indices.length; j++) {
    const g = indices[j] - prev - 1;
    w.writeZeros(g >>> b);
    w.write(1, 1);
    w.write(g, b);
    prev = indices[j];
  }
  return w.finish();
}

/**
 * Decode exactly `k` code words with parameter `b` from `b[start, end)`. An index ≥ n →
 * E_INDEX_RANGE at the byte holding the code word's first bit; the payload ends inside or before
 * the k-th code word → E_COUNT at `end`; non-zero pad bits → E_RESERVED at the last byte; whole
 * bytes left → E_COUNT at the first one.
 */
export function riceDecode(bytes: Uint8Array, start: number, end: number, n: number, k: number, b: number): Uint32Array {
  const out = new Uint32Array(k);
  const rd = new BitReader(bytes, start, end);
  const scale = 2 ** b;
  let prev = -1;
  for (let j = 0; j < k; j++) {
    const at = rd.bytePos;
    const q = rd.readUnary();
    if (q < 0 || rd.bitsLeft() < b) fail('E_COUNT', end, `index payload ends inside code word ${j} of k = ${k}`);
    const i = prev + 1 + q * scale + rd.read(b);
    if (i >= n) fail('E_INDEX_RANGE', at, `index ${i} >= length ${n}`);
    out[j] = i;
    prev = i;
  }
  let p = rd.bytePos;
  if (rd.bitOff > 0) {
    if (bytes[p] >>> rd.bitOff !== 0) fail('E_RESERVED', p, 'non-zero pad bits after the last code word');
    p++;
  }
  if (p < end) fail('E_COUNT', p, `${end - p} index payload bytes left after k = ${k} indices`);
  return out;
}
