/**
 * Test helpers for the codec: a seeded PRNG, random sorted index sets, and a raw frame builder that
 * can write any field value (valid or not) for crafting invalid frames.
 */
import { crc32c } from '../../ts-api/codec/crc32c.ts';
import { FormatError } from '../../ts-api/errors.ts';
import { rng } from '../../examples/federated/prng.ts';

export { rng };

/** A uniform random k-subset of [0, n), ascending (Floyd's algorithm; k ≤ n). */
export function randomIndices(r: () => number, n: number, k: number): Uint32Array {
  const set = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(r() * (j + 1));
    set.add(set.has(t) ? j : t);
  }
  return Uint32Array.from([...set].sort((a, b) => a - b));
}

/** Random finite f32 values with mixed magnitudes and signs. */
export function randomValues(r: () => number, k: number): Float32Array {
  const v = new Float32Array(k);
  for (let j = 0; j < k; j++) v[j] = (r() - 0.5) * 2 ** Math.floor(r() * 20 - 10);
  return v;
}

/** Little-endian byte sink for crafting frames field by field. */
export class Bytes {
  readonly a: number[] = [];
  u8(v: number): this {
    this.a.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  f32(v: number): this {
    return this.u32(new Uint32Array(new Float32Array([v]).buffer)[0]);
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.a.push(bytes[i] & 0xff);
    return this;
  }
  get length(): number {
    return this.a.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.a);
  }
}

/** Fields of a raw tensor section; every field can be set to an invalid value. */
export interface RawSection {
  name?: string;
  nameLen?: number;
  nameBytes?: ArrayLike<number>;
  method?: number;
  unit?: number;
  flags?: number;
  indexCode?: number;
  valueCode?: number;
  rank?: number;
  dims?: number[];
  /** Raw unit geometry bytes after the dims (unit 1: unit_rank + unit_dims; unit 2: N, M). */
  unitBytes?: ArrayLike<number>;
  length: number;
  k: number;
  /** Raw parameter bytes (rice b, f32 scale ...), written as given. */
  params?: ArrayLike<number>;
  indexBytes?: number;
  valueBytes?: number;
  indexPayload: ArrayLike<number>;
  valuePayload: ArrayLike<number>;
}

/** Serialise a raw section (defaults: name 'w', topk, element, coo, f32, no shape). */
export function rawSection(s: RawSection): Uint8Array {
  const name = s.nameBytes ?? new TextEncoder().encode(s.name ?? 'w');
  const dims = s.dims ?? [];
  const b = new Bytes()
    .u16(s.nameLen ?? name.length)
    .raw(name)
    .u8(s.method ?? 0)
    .u8(s.unit ?? 0)
    .u8(s.flags ?? (s.dims !== undefined ? 1 : 0))
    .u8(s.indexCode ?? 0)
    .u8(s.valueCode ?? 0)
    .u8(s.rank ?? dims.length);
  for (const d of dims) b.u32(d);
  b.raw(s.unitBytes ?? []);
  b.u32(s.length).u32(s.k).raw(s.params ?? []);
  b.u32(s.indexBytes ?? s.indexPayload.length).u32(s.valueBytes ?? s.valuePayload.length);
  return b.raw(s.indexPayload).raw(s.valuePayload).bytes();
}

/** Header overrides for {@link rawFrame}. */
export interface RawHeader {
  magic?: ArrayLike<number>;
  version?: number;
  flags?: number;
  step?: number;
  count?: number;
  /** Declared total length (default: the real one). */
  total?: number;
  /** Stored checksum (default: the correct CRC-32C). */
  crc?: number;
  /** Bytes inserted between the last section and the checksum (counted in the total). */
  gap?: ArrayLike<number>;
}

/** Assemble a frame from raw sections with a correct (or overridden) header and checksum. */
export function rawFrame(sections: Uint8Array[], h: RawHeader = {}): Uint8Array {
  const body = new Bytes();
  for (const s of sections) body.raw(s);
  body.raw(h.gap ?? []);
  const total = 20 + body.length + 4;
  const b = new Bytes()
    .raw(h.magic ?? [0x53, 0x50, 0x47, 0x44])
    .u16(h.version ?? 1)
    .u16(h.flags ?? 0)
    .u32(h.step ?? 0)
    .u32(h.count ?? sections.length)
    .u32(h.total ?? total)
    .raw(body.a);
  const bytes = b.bytes();
  const crc = h.crc ?? crc32c(bytes);
  return new Bytes().raw(bytes).u32(crc).bytes();
}

/** Recompute the CRC trailer of a frame in place (for mutation fuzzing past the checksum). */
export function fixCrc(frame: Uint8Array): Uint8Array {
  if (frame.length >= 24) {
    const end = frame.length - 4;
    const c = crc32c(frame, 0, end);
    frame[end] = c & 0xff;
    frame[end + 1] = (c >>> 8) & 0xff;
    frame[end + 2] = (c >>> 16) & 0xff;
    frame[end + 3] = (c >>> 24) & 0xff;
  }
  return frame;
}

/** Run `fn` and return the FormatError it throws (fails if it throws anything else or nothing). */
export function formatErrorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError, but decoding succeeded');
}

/** Hex string of bytes. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}
