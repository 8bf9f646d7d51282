/**
 * Tensor names: UTF-8 validation (RFC 3629, as the WHATWG "fatal" UTF-8 decoder: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequences) and a set of names seen in one
 * frame, compared as byte strings.
 *
 * A set is an open-addressing hash table of (offset, length, hash) entries into a caller-supplied
 * base buffer (the frame being decoded, or the frame being built, whose base may move between calls:
 * only offsets are kept). The hash is keyed ({@link namesSeed}; the TypeScript wrapper seeds it with
 * random bits once per instance) so that crafted frames cannot force many collisions: expected work
 * is O(total name bytes). The outcome never depends on the key.
 */

/** True when `p[0, len)` is well-formed UTF-8. */
export function utf8Valid(p: usize, len: u32): bool {
  let i: u32 = 0;
  while (i < len) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= len && (load<u64>(p + <usize>i) & 0x8080808080808080) == 0) i += 8;
    if (i >= len) break;
    const c = <u32>load<u8>(p + <usize>i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: u32;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c == 0xe0) lo = 0xa0;
      else if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c == 0xf0) lo = 0x90;
      else if (c == 0xf4) hi = 0x8f;
    } else return false;
    if (<u64>i + <u64>need >= <u64>len) return false; // fewer than `need` bytes follow
    const b1 = <u32>load<u8>(p + <usize>(i + 1));
    if (b1 < lo || b1 > hi) return false;
    for (let t: u32 = 2; t <= need; t++) {
      const b = <u32>load<u8>(p + <usize>(i + t));
      if (b < 0x80 || b > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

let seedLo: u64 = 0x243f6a8885a308d3;
let seedHi: u64 = 0x13198a2e03707344;

/** Sets the hash key of the name set (any value; only affects speed under adversarial input). */
export function namesSeed(lo: u32, hi: u32): void {
  seedLo = 0x243f6a8885a308d3 ^ ((<u64>hi << 32) | <u64>lo);
  seedHi = 0x13198a2e03707344 ^ (<u64>lo * 0x9e3779b97f4a7c15);
}

// @ts-ignore: decorator
@inline function mix(h: u64): u64 {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93;
  return h ^ (h >> 32);
}

/** Keyed 32-bit hash of the bytes `p[0, len)`. */
export function nameHash(p: usize, len: u32): u32 {
  let h: u64 = seedLo ^ <u64>len;
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) h = mix(h ^ load<u64>(p + <usize>i) ^ seedHi) + seedLo;
  let tail: u64 = 0;
  for (let s: u64 = 0; i < len; i++, s += 8) tail |= <u64>load<u8>(p + <usize>i) << s;
  h = mix(h ^ tail ^ seedHi);
  return <u32>h ^ <u32>(h >> 32);
}

/**
 * A name set is a 16-byte header (table pointer, slot count, entry count) in caller memory, e.g.
 * `memory.data(16)`; zero-initialised headers are valid empty sets. The table holds 16-byte slots:
 * offset u32, length u32, hash u32, used u32. Encoder and decoder keep separate sets, so a frame
 * being built and a frame being decoded never mix.
 */
const INITIAL_SLOTS: u32 = 16;

// @ts-ignore: decorator
@inline function tabOf(set: usize): usize {
  return load<usize>(set);
}
// @ts-ignore: decorator
@inline function capOf(set: usize): u32 {
  return load<u32>(set, 4);
}

/** Empties the set (keeps a small table). */
export function namesReset(set: usize): void {
  let tab = tabOf(set);
  let cap = capOf(set);
  if (tab == 0 || cap > 1024) {
    if (tab) heap.free(tab);
    cap = INITIAL_SLOTS;
    tab = heap.alloc(<usize>cap << 4);
    store<usize>(set, tab);
    store<u32>(set, cap, 4);
  }
  memory.fill(tab, 0, <usize>cap << 4);
  store<u32>(set, 0, 8);
}

function grow(set: usize): void {
  const oldTab = tabOf(set);
  const oldCap = capOf(set);
  const cap = oldCap << 1;
  const tab = heap.alloc(<usize>cap << 4);
  memory.fill(tab, 0, <usize>cap << 4);
  const mask = cap - 1;
  for (let s: u32 = 0; s < oldCap; s++) {
    const e = oldTab + (<usize>s << 4);
    if (load<u32>(e, 12) == 0) continue;
    let i = load<u32>(e, 8) & mask;
    while (load<u32>(tab + (<usize>i << 4), 12) != 0) i = (i + 1) & mask;
    memory.copy(tab + (<usize>i << 4), e, 16);
  }
  heap.free(oldTab);
  store<usize>(set, tab);
  store<u32>(set, cap, 4);
}

/**
 * True when the name `key[0, len)` (with hash `h` = nameHash(key, len)) equals a name in the set;
 * the names in the set are at their offsets from `base`. The set must have been reset.
 */
export function namesContains(set: usize, base: usize, key: usize, len: u32, h: u32): bool {
  const tab = tabOf(set);
  const mask = capOf(set) - 1;
  let i = h & mask;
  while (true) {
    const e = tab + (<usize>i << 4);
    if (load<u32>(e, 12) == 0) return false;
    if (load<u32>(e, 8) == h && load<u32>(e, 4) == len && memory.compare(base + <usize>load<u32>(e), key, len) == 0) return true;
    i = (i + 1) & mask;
  }
  return false;
}

/** Adds the name at `base + off` of `len` bytes with hash `h` (the caller checked it is new). */
export function namesAdd(set: usize, off: u32, len: u32, h: u32): void {
  const count = load<u32>(set, 8);
  if ((count + 1) * 2 > capOf(set)) grow(set);
  const tab = tabOf(set);
  const mask = capOf(set) - 1;
  let i = h & mask;
  while (load<u32>(tab + (<usize>i << 4), 12) != 0) i = (i + 1) & mask;
  const e = tab + (<usize>i << 4);
  store<u32>(e, off);
  store<u32>(e, len, 4);
  store<u32>(e, h, 8);
  store<u32>(e, 1, 12);
  store<u32>(set, count + 1, 8);
}
