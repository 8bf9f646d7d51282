/** CRC-32C, LEB128 varints and LSB-first bit streams. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BitReader, BitWriter } from '../../ts-api/codec/bitio.ts';
import { crc32c, crc32cUpdate } from '../../ts-api/codec/crc32c.ts';
import { readVarint, varintSize, writeVarint, type VarintResult } from '../../ts-api/codec/varint.ts';
import { FormatError } from '../../ts-api/errors.ts';
import { rng } from './helpers.ts';

/** Bitwise CRC-32C, independent of the table implementation. */
function crcBitwise(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('crc32c: published check values (RFC 3720 B.4, "123456789")', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test('crc32c: slice-by-8 agrees with bitwise on random ranges, and incremental updates compose', () => {
  const r = rng(1);
  for (let t = 0; t < 300; t++) {
    const b = Uint8Array.from({ length: Math.floor(r() * 100) }, () => Math.floor(r() * 256));
    const s = Math.floor(r() * (b.length + 1));
    const e = s + Math.floor(r() * (b.length - s + 1));
    assert.equal(crc32c(b, s, e), crcBitwise(b.subarray(s, e)));
    const mid = s + Math.floor((e - s) / 3);
    assert.equal((crc32cUpdate(crc32cUpdate(0xffffffff, b, s, mid), b, mid, e) ^ 0xffffffff) >>> 0, crc32c(b, s, e));
  }
});

test('varint: canonical round trip at every length boundary', () => {
  const vals = [0, 1, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 0xffffffff, 0x12345678];
  const r: VarintResult = { value: 0, pos: 0 };
  for (const v of vals) {
    const out = new Uint8Array(8);
    const end = writeVarint(out, 1, v);
    assert.equal(end - 1, varintSize(v), `size of ${v}`);
    readVarint(out, 1, end, r);
    assert.deepEqual([r.value, r.pos], [v, end]);
    readVarint(out, 1, end - 1, r);
    assert.equal(r.pos, -1, 'cut varint reports pos -1');
  }
  assert.deepEqual([...out5(0xffffffff)], [0xff, 0xff, 0xff, 0xff, 0x0f]);
});

function out5(v: number): Uint8Array {
  const o = new Uint8Array(5);
  writeVarint(o, 0, v);
  return o;
}

test('varint: over-long and overflowing forms are E_VARINT at the first byte', () => {
  const r: VarintResult = { value: 0, pos: 0 };
  const bad = [[0x80, 0x00], [0xff, 0x00], [0x80, 0x80, 0x80, 0x80, 0x00], [0xff, 0xff, 0xff, 0xff, 0x10], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]];
  for (const bytes of bad) {
    const b = Uint8Array.from([0xaa, ...bytes]);
    assert.throws(() => readVarint(b, 1, b.length, r), (e: unknown) => e instanceof FormatError && e.code === 'E_VARINT' && e.offset === 1);
  }
});

test('bit streams: LSB-first layout and round trip of random fields and zero runs', () => {
  const out = new Uint8Array(4);
  const w = new BitWriter(out, 0);
  w.write(1, 1);
  w.write(0b101, 3);
  w.writeZeros(5);
  w.write(1, 1);
  assert.equal(w.finish(), 2);
  assert.deepEqual([...out.subarray(0, 2)], [0b00001011, 0b00000010]);

  const r = rng(2);
  for (let t = 0; t < 200; t++) {
    const fields: [number, number][] = [];
    for (let j = 0; j < 50; j++) {
      const bits = Math.floor(r() * 33);
      const v = bits === 0 ? 0 : Math.floor(r() * 2 ** bits);
      fields.push([r() < 0.2 ? -1 - Math.floor(r() * 40) : v, bits]);
    }
    const buf = new Uint8Array(1000);
    const bw = new BitWriter(buf, 3);
    for (const [v, bits] of fields) if (v < 0) bw.writeZeros(-v); else bw.write(v, bits);
    const end = bw.finish();
    const br = new BitReader(buf, 3, end);
    for (const [v, bits] of fields) {
      if (v >= 0) {
        assert.equal(br.read(bits), v);
        continue;
      }
      for (let z = -v; z > 0; z -= 32) assert.equal(br.read(Math.min(z, 32)), 0);
    }
    assert.ok(br.bitsLeft() < 8);
  }
});

test('bit streams: readUnary counts zeros through whole zero bytes and reports a missing one bit', () => {
  const b = Uint8Array.from([0x00, 0x00, 0x10, 0x00]);
  const br = new BitReader(b, 0, 4);
  assert.equal(br.readUnary(), 20);
  assert.equal(br.bitsLeft(), 11);
  assert.equal(br.readUnary(), -1);
});
