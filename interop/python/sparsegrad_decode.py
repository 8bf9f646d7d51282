#!/usr/bin/env python3
"""Decoder of sparsegrad frames (wire format version 1), written from docs/wire-format.md alone.

    masks = {}                              # the mask store: name -> last mask (learned masks)
    frame = decode(data, max_elements=None, max_bytes=None, allow_nonfinite=False, masks=masks)
    for t in frame.tensors:
        t.name, t.shape, t.length, t.method, t.unit, t.index_code, t.value_code
        t.indices   # np.ndarray uint32, strictly increasing: element indices, whatever the unit
        t.values    # np.ndarray float32 (lossy codes: the dequantised values)
        t.units, t.unit_dims   # unit 'rect': kept unit numbers and the unit extent per dimension
        t.nm                   # unit 'nm': (N, M)
        t.mask_sent            # unit 'mask': whether the section carried the mask
    dense = densify(frame.tensors[0])       # float32 zeros with the kept values scattered in
    mean = aggregate([f1, f2], weights=[3, 1])   # name -> weighted mean of the dense updates

Bytes that are not a valid frame raise FormatError(code, offset, message); the checks run in the
spec's order ("Validation"), so code and offset agree with every conforming decoder. Nothing is
read outside the input, and no allocation exceeds what the input's own size bounds.

CLI:  python3 sparsegrad_decode.py FRAME [--json] [--dense OUT.f32] [--max-bytes N]
      [--max-elements N] [--allow-nonfinite] [--masks STORE.json]
(--masks: a JSON object {name: [indices]} read as the mask store and rewritten after a good frame)
Exit status 0; 1 with one line "error: CODE at offset N: message" on stderr for a bad frame;
2 for bad usage. Needs Python 3.8+ and NumPy.
"""
import json
import struct
import sys
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import numpy as np

__all__ = ['FormatError', 'Tensor', 'Frame', 'decode', 'densify', 'aggregate', 'crc32c', 'frame_to_json']

METHODS = {0: 'topk', 1: 'threshold', 2: 'percentile', 3: 'randomk', 4: 'probabilistic', 5: 'approx-topk',
           6: 'global-topk', 7: 'hybrid', 16: 'block', 17: 'channel', 18: 'head', 19: 'row', 20: 'column',
           21: 'nm', 22: 'mask'}
UNITS = ('element', 'rect', 'nm', 'mask')
INDEX_CODES = ('coo', 'csr', 'bitmap', 'rle', 'varint', 'rice')
VALUE_CODES = ('f32', 'f16', 'bf16', 'int8', 'ternary')
COO, CSR, BITMAP, RLE, VARINT, RICE = range(6)
F32, F16, BF16, INT8, TERNARY = range(5)
HEADER, TRAILER, MIN_SECTION, MAX_NAME, MAX_RANK = 20, 4, 25, 1024, 16
RECT, NM, MASK = 1, 2, 3
SHAPE_FLAG, MASK_FLAG = 1, 2


def _method_unit(method: int) -> int:
    """The unit a method id is sent with (0..7: element, 16..20: rect, 21: nm, 22: mask), -1 if none."""
    return 0 if method <= 7 else RECT if 16 <= method <= 20 else NM if method == 21 else MASK if method == 22 else -1


class FormatError(ValueError):
    """A frame that breaks the spec: `code` (e.g. 'E_CHECKSUM') and the byte `offset` it names."""

    def __init__(self, code: str, offset: int, message: str = ''):
        super().__init__(f'{code} at offset {offset}' + (f': {message}' if message else ''))
        self.code, self.offset, self.message = code, offset, message


@dataclass
class Tensor:
    """One decoded tensor section. `shape` is None when the section declares none."""
    name: str
    shape: Optional[Tuple[int, ...]]
    length: int
    method: str
    index_code: str
    value_code: str
    indices: np.ndarray
    values: np.ndarray
    index_param: int = 0          # rice: b
    value_param: float = 0.0      # int8: scale, ternary: mu (float32 value)
    value_param_bits: int = 0     # its f32 bit pattern
    index_bytes: int = 0
    value_bytes: int = 0
    section_bytes: int = 0
    unit: str = 'element'
    units: Optional[np.ndarray] = None          # rect: kept unit numbers (uint32, ascending)
    unit_dims: Optional[Tuple[int, ...]] = None  # rect: unit extent per dimension
    nm: Optional[Tuple[int, int]] = None         # nm: (N, M)
    mask_sent: Optional[bool] = None             # mask: the section carried the mask
    offset: int = 0                              # the section's first byte


@dataclass
class Frame:
    step: int
    tensors: List[Tensor] = field(default_factory=list)
    version: int = 1
    total_bytes: int = 0
    checksum: int = 0


# ---------------------------------------------------------------------------------------------
# CRC-32C (Castagnoli, reflected 0x82F63B78, init and final XOR 0xFFFFFFFF)

def _crc_table() -> np.ndarray:
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ np.uint32(0x82F63B78), t >> 1).astype(np.uint32)
    return t


_T = _crc_table()
_TL = [int(x) for x in _T]


def _crc_raw(data: np.ndarray) -> int:
    """Register CRC with init 0 and no final XOR. Linear in the data; blind to leading zero bytes."""
    n = data.size
    if n < 8192:
        c = 0
        for b in data.tobytes():
            c = _TL[(c ^ b) & 0xFF] ^ (c >> 8)
        return c
    # Lanes: pad the front with zeros (which the init-0 register ignores) to m rows of w bytes,
    # run all rows at once, then fold row CRCs: crc(A||B) = shift_w(crc(A)) ^ crc(B).
    w = int(np.ceil(np.sqrt(n)))
    m = -(-n // w)
    rows = np.zeros(m * w, dtype=np.uint8)
    rows[m * w - n:] = data
    rows = rows.reshape(m, w)
    c = np.zeros(m, dtype=np.uint32)
    basis = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)
    for j in range(w):
        c = _T[(c ^ rows[:, j]) & 0xFF] ^ (c >> 8)
        basis = _T[basis & 0xFF] ^ (basis >> 8)   # the same map on zero bytes, for the 32 unit vectors
    cols = [int(x) for x in basis]
    tables = []
    for byte in range(4):
        tab = [0] * 256
        for v in range(1, 256):
            low = v & -v
            tab[v] = tab[v ^ low] ^ cols[8 * byte + low.bit_length() - 1]
        tables.append(tab)
    t0, t1, t2, t3 = tables
    acc = 0
    for x in c.tolist():
        acc = t0[acc & 0xFF] ^ t1[(acc >> 8) & 0xFF] ^ t2[(acc >> 16) & 0xFF] ^ t3[acc >> 24] ^ x
    return acc


def crc32c(data) -> int:
    """CRC-32C of `data` (bytes-like). crc32c(b'123456789') == 0xE3069283."""
    a = np.frombuffer(bytes(data), dtype=np.uint8).copy()
    if a.size < 4:  # tiny inputs: the plain loop with the init register
        c = 0xFFFFFFFF
        for b in a.tobytes():
            c = _TL[(c ^ b) & 0xFF] ^ (c >> 8)
        return c ^ 0xFFFFFFFF
    a[:4] ^= 0xFF  # the init register 0xFFFFFFFF acts as an XOR on the first four bytes (reflected CRC)
    return _crc_raw(a) ^ 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# Frame and sections

class _Reader:
    def __init__(self, buf: bytes, end: int):
        self.buf, self.end = buf, end

    def fit(self, o: int, size: int) -> None:
        if o + size > self.end:
            raise FormatError('E_TRUNCATED', o, f'field of {size} bytes at {o} runs past the tensor area (ends at {self.end})')

    def u8(self, o: int) -> int:
        return self.buf[o]

    def u16(self, o: int) -> int:
        return struct.unpack_from('<H', self.buf, o)[0]

    def u32(self, o: int) -> int:
        return struct.unpack_from('<I', self.buf, o)[0]


def decode(data, max_elements: Optional[int] = None, max_bytes: Optional[int] = None,
           allow_nonfinite: bool = False, masks: Optional[dict] = None) -> Frame:
    """Decode and fully validate one frame. Raises FormatError; returns a Frame.

    `masks` is the receiver's mask store (name -> ascending mask indices): mask sections sent without
    their mask take their indices from it (E_MASK when it has none of the right size), and after the
    frame decoded it holds every mask the frame carried. A failing frame leaves it unchanged."""
    buf = bytes(data)
    n = len(buf)
    if max_bytes is not None and n > max_bytes:
        raise FormatError('E_LIMIT', 0, f'frame of {n} bytes exceeds max_bytes {max_bytes}')
    if n < 24:
        raise FormatError('E_TRUNCATED', n, f'{n} bytes, shorter than the 24-byte minimum frame')
    if buf[0:4] != b'SPGD':
        raise FormatError('E_MAGIC', 0, 'not a sparsegrad frame (magic is not SPGD)')
    version, flags, step, count, total = struct.unpack_from('<HHIII', buf, 4)
    if version != 1:
        raise FormatError('E_VERSION', 4, f'unsupported version {version}')
    if total < 24:
        raise FormatError('E_LENGTH', 16, f'total_length {total} below 24')
    if total > n:
        raise FormatError('E_TRUNCATED', n, f'total_length {total} but only {n} bytes')
    if total < n:
        raise FormatError('E_TRAILING', total, f'{n - total} bytes after the frame')
    end = total - TRAILER
    stored = struct.unpack_from('<I', buf, end)[0]
    crc = crc32c(buf[:end])
    if crc != stored:
        raise FormatError('E_CHECKSUM', end, f'CRC-32C {crc:08x}, stored {stored:08x}')
    if flags != 0:
        raise FormatError('E_RESERVED', 6, f'frame flags {flags:#06x} must be 0')
    if count * MIN_SECTION > end - HEADER:
        raise FormatError('E_COUNT', 12, f'{count} tensor sections cannot fit in {end - HEADER} bytes')
    r = _Reader(buf, end)
    frame = Frame(step=step, version=version, total_bytes=total, checksum=stored)
    names = set()
    budget = [0]
    p = HEADER
    for _ in range(count):
        t, p = _section(r, p, names, budget, max_elements, allow_nonfinite)
        frame.tensors.append(t)
    if p != end:
        raise FormatError('E_TRAILING', p, f'{end - p} bytes between the last section and the checksum')
    _resolve_masks(frame, masks)
    return frame


def _resolve_masks(frame: Frame, masks: Optional[dict]) -> None:
    """Rule 11: mask sections without their mask take the stored mask; then the store takes the sent ones."""
    for t in frame.tensors:
        if t.unit != 'mask' or t.mask_sent:
            continue
        k = t.values.size
        m = None if masks is None else masks.get(t.name)
        a = None if m is None else np.asarray(m, dtype=np.int64).ravel()
        if a is None or a.size != k or (k and (a[0] < 0 or a[-1] >= t.length or np.any(a[1:] <= a[:-1]))):
            why = 'no stored mask' if m is None else f'the stored mask does not hold {k} increasing indices < {t.length}'
            raise FormatError('E_MASK', t.offset, f"tensor '{t.name}' was sent without its mask and {why}")
        t.indices = a.astype(np.uint32)
    if masks is not None:
        for t in frame.tensors:
            if t.unit == 'mask' and t.mask_sent:
                masks[t.name] = t.indices.copy()


_VALUE_SIZE = {F32: lambda k: 4 * k, F16: lambda k: 2 * k, BF16: lambda k: 2 * k, INT8: lambda k: k,
               TERNARY: lambda k: (k + 7) // 8}


def _section(r: _Reader, p: int, names: set, budget: list, max_elements, allow_nonfinite):
    r.fit(p, 2)
    name_len = r.u16(p)
    if name_len == 0 or name_len > MAX_NAME:
        raise FormatError('E_NAME', p, f'name length {name_len} not in 1..{MAX_NAME}')
    r.fit(p + 2, name_len)
    raw = r.buf[p + 2:p + 2 + name_len]
    try:
        name = raw.decode('utf-8', errors='strict')  # strict: rejects overlongs, surrogates, > U+10FFFF
    except UnicodeDecodeError:
        raise FormatError('E_NAME', p + 2, 'name is not valid UTF-8') from None
    if raw in names:
        raise FormatError('E_NAME', p + 2, f"duplicate tensor name '{name}'")
    names.add(raw)
    o = p + 2 + name_len
    r.fit(o, 6)
    method, unit, tflags, ic, vc, rank = r.buf[o:o + 6]
    if method not in METHODS:
        raise FormatError('E_CODE', o, f'unknown or reserved method id {method}')
    if unit != _method_unit(method):
        raise FormatError('E_CODE', o + 1, f'unit {unit} is not the unit of method {METHODS[method]}')
    if tflags & ~(SHAPE_FLAG | MASK_FLAG if unit == MASK else SHAPE_FLAG):
        raise FormatError('E_RESERVED', o + 2, f'reserved tensor_flags bits {tflags:#04x}')
    mask_sent = unit == MASK and bool(tflags & MASK_FLAG)
    stored = unit == MASK and not mask_sent
    if ic >= len(INDEX_CODES) or (unit == NM and ic != BITMAP) or (stored and ic != COO):
        raise FormatError('E_CODE', o + 3, f'index code {ic} not allowed here (unit {unit})')
    if vc >= len(VALUE_CODES):
        raise FormatError('E_CODE', o + 4, f'unknown value code {vc}')
    has_shape = bool(tflags & SHAPE_FLAG)
    if not has_shape and rank != 0:
        raise FormatError('E_SHAPE', o + 5, f'rank {rank} without the SHAPE flag')
    if rank > MAX_RANK:
        raise FormatError('E_SHAPE', o + 5, f'rank {rank} above {MAX_RANK}')
    if unit == RECT and not has_shape:
        raise FormatError('E_SHAPE', o + 5, 'rectangle units need a shape')
    if ic == CSR and (not has_shape or rank != 2):
        raise FormatError('E_SHAPE', o + 5, 'csr needs a rank-2 shape')
    r.fit(o + 6, 4 * rank)
    dims = struct.unpack_from(f'<{rank}I', r.buf, o + 6)
    a = o + 6 + 4 * rank
    unit_dims, nm = None, None
    if unit == RECT:
        r.fit(a, 1)
        if r.u8(a) != rank:
            raise FormatError('E_SHAPE', a, f'unit rank {r.u8(a)} is not the rank {rank}')
        r.fit(a + 1, 4 * rank)
        unit_dims = struct.unpack_from(f'<{rank}I', r.buf, a + 1)
        for i, u in enumerate(unit_dims):
            if u == 0:
                raise FormatError('E_SHAPE', a + 1 + 4 * i, f'unit dim {i} is 0')
        a += 1 + 4 * rank
    elif unit == NM:
        r.fit(a, 2)
        nn, mm = r.u8(a), r.u8(a + 1)
        if mm == 0 or mm > 32:
            raise FormatError('E_PARAM', a + 1, f'N:M group size {mm} not in 1..32')
        if nn > mm:
            raise FormatError('E_PARAM', a, f'N:M keeps {nn} > {mm}')
        nm = (nn, mm)
        a += 2
    r.fit(a, 8)
    n, k = struct.unpack_from('<II', r.buf, a)
    if has_shape:
        prod = 1
        for d in dims:
            prod *= d
        if prod != n:
            raise FormatError('E_SHAPE', a, f'dims {list(dims)} have product {prod}, length is {n}')
    grid = None
    if unit == RECT:
        grid = [-(-d // u) for d, u in zip(dims, unit_dims)]
        big_u = int(np.prod(grid, dtype=object)) if rank else 1
    else:
        big_u = n
    if k > big_u:
        raise FormatError('E_COUNT', a + 4, f'k {k} above {"unit count" if grid else "length"} {big_u}')
    cols = 0
    if unit == NM:
        cols = dims[-1] if has_shape and rank >= 1 else n
        want = 0 if cols == 0 else (n // cols) * ((cols // nm[1]) * nm[0] + min(nm[0], cols % nm[1]))
        if k != want:
            raise FormatError('E_COUNT', a + 4, f'k {k} is not the {nm[0]}:{nm[1]} count {want}')
    before = budget[0]
    budget[0] += k
    if max_elements is not None and budget[0] > max_elements:
        raise FormatError('E_LIMIT', a + 4, f'{budget[0]} elements so far exceed max_elements {max_elements}')
    c = a + 8
    pbytes = (1 if ic == RICE else 0) + (4 if vc in (INT8, TERNARY) else 0)
    r.fit(c, pbytes)
    b = 0
    if ic == RICE:
        b = r.u8(c)
        if b > 31:
            raise FormatError('E_PARAM', c, f'rice parameter {b} above 31')
    vparam_bits = 0
    if vc in (INT8, TERNARY):
        vo = c + pbytes - 4
        vparam_bits = r.u32(vo)
        if (vparam_bits & 0x7F800000) == 0x7F800000 or vparam_bits & 0x80000000:
            raise FormatError('E_PARAM', vo, f'{VALUE_CODES[vc]} parameter {vparam_bits:08x} not finite and non-negative')
    e = c + pbytes
    r.fit(e, 8)
    ib, vb = struct.unpack_from('<II', r.buf, e)
    gdims = tuple(grid) if grid is not None else dims
    fixed = (0 if stored else 4 * k if ic == COO else 4 * (gdims[0] + 1) + 4 * k if ic == CSR
             else (big_u + 7) // 8 if ic == BITMAP else None)
    if fixed is not None and ib != fixed:
        raise FormatError('E_COUNT', e, f'{INDEX_CODES[ic]} payload of {ib} bytes, expected {fixed}')
    vsize = _VALUE_SIZE[vc](k)
    if (vb < vsize) if grid is not None else (vb != vsize):
        raise FormatError('E_COUNT', e + 4, f'{VALUE_CODES[vc]} payload of {vb} bytes, expected {vsize}')
    f = e + 8
    if f + ib > r.end:
        raise FormatError('E_TRUNCATED', f, 'index payload runs past the tensor area')
    if f + ib + vb > r.end:
        raise FormatError('E_TRUNCATED', f + ib, 'value payload runs past the tensor area')
    units = None
    if unit == NM:
        idx = _nm(r.buf, f, ib, n, cols, nm)
    elif stored:
        idx = np.zeros(0, dtype=np.uint32)   # from the mask store, after the frame (rule 11)
    else:
        idx = _INDEX_DECODERS[ic](r.buf, f, ib, big_u, k, gdims, b)
    count = k
    if grid is not None:
        units = idx
        starts, ext = _rect_units(units, dims, unit_dims, grid)
        count = int(np.prod(ext, axis=1).sum()) if units.size else 0
        budget[0] = before + count
        if max_elements is not None and budget[0] > max_elements:
            raise FormatError('E_LIMIT', a + 4, f'{budget[0]} elements so far exceed max_elements {max_elements}')
        if vb != _VALUE_SIZE[vc](count):
            raise FormatError('E_COUNT', e + 4, f'{VALUE_CODES[vc]} payload of {vb} bytes, {count} elements need {_VALUE_SIZE[vc](count)}')
        idx = _rect_elements(starts, ext, dims, count)
    vparam = float(np.frombuffer(struct.pack('<I', vparam_bits), dtype='<f4')[0])
    vals = _decode_values(r.buf, f + ib, vb, count, vc, vparam_bits, allow_nonfinite)
    t = Tensor(name=name, shape=tuple(dims) if has_shape else None, length=n, method=METHODS[method],
               index_code=INDEX_CODES[ic], value_code=VALUE_CODES[vc], indices=idx, values=vals,
               index_param=b, value_param=vparam, value_param_bits=vparam_bits, index_bytes=ib,
               value_bytes=vb, section_bytes=f + ib + vb - p, unit=UNITS[unit], units=units,
               unit_dims=unit_dims, nm=nm, mask_sent=mask_sent if unit == MASK else None, offset=p)
    return t, f + ib + vb


# ---------------------------------------------------------------------------------------------
# Structured units: rectangles (unit 1) and N:M (unit 2)

def _rect_units(units: np.ndarray, dims, unit_dims, grid):
    """Per kept unit: its first element's coordinates and its clipped extents, shape (k, R) each."""
    k, rank = units.size, len(dims)
    starts = np.zeros((k, rank), dtype=np.int64)
    ext = np.ones((k, rank), dtype=np.int64)
    if k == 0:
        return starts, ext
    rest = units.astype(np.int64)
    for i in range(rank - 1, -1, -1):
        c = rest % grid[i]
        rest = rest // grid[i]
        starts[:, i] = c * unit_dims[i]
        ext[:, i] = np.minimum(dims[i], starts[:, i] + unit_dims[i]) - starts[:, i]
    return starts, ext


def _rect_elements(starts: np.ndarray, ext: np.ndarray, dims, m: int) -> np.ndarray:
    """The elements of the kept units (disjoint rectangles), ascending."""
    if m == 0:
        return np.zeros(0, dtype=np.uint32)
    rank = len(dims)
    sizes = np.prod(ext, axis=1)
    local = np.arange(m, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    flat = np.zeros(m, dtype=np.int64)
    stride = 1
    for i in range(rank - 1, -1, -1):
        e = np.repeat(ext[:, i], sizes)
        flat += (np.repeat(starts[:, i], sizes) + local % e) * stride
        local //= e
        stride *= dims[i]
    return np.sort(flat).astype(np.uint32)


def _nm(buf, f, ib, n, cols, nm):
    """N:M payload: n bits, every group of g bits keeps min(N, g); pad bits zero."""
    nn, mm = nm
    payload = np.frombuffer(buf, dtype=np.uint8, count=ib, offset=f)
    bits = np.unpackbits(payload, bitorder='little')
    if cols:
        per_row = -(-cols // mm)
        pos = np.arange(n, dtype=np.int64)
        group = (pos // cols) * per_row + (pos % cols) // mm
        got = np.bincount(group, weights=bits[:n], minlength=(n // cols) * per_row)
        g_start = (np.arange(got.size) // per_row) * cols + (np.arange(got.size) % per_row) * mm
        g_size = np.minimum(mm, cols - (g_start % cols))
        bad = np.flatnonzero(got != np.minimum(nn, g_size))
        if bad.size:
            s = int(g_start[bad[0]])
            raise FormatError('E_COUNT', f + s // 8, f'N:M group at element {s} keeps {int(got[bad[0]])}, not {min(nn, int(g_size[bad[0]]))}')
    if n % 8 and payload[-1] >> (n % 8):
        raise FormatError('E_RESERVED', f + ib - 1, 'non-zero N:M pad bits')
    return np.flatnonzero(bits[:n]).astype(np.uint32)


# ---------------------------------------------------------------------------------------------
# Index codes. Each gets the payload at offset f of ib bytes and returns k uint32 indices.

def _u32s(buf: bytes, o: int, count: int) -> np.ndarray:
    return np.frombuffer(buf, dtype='<u4', count=count, offset=o).astype(np.uint32)


def _first_u32_fault(rng: np.ndarray, order: np.ndarray, base: int, range_msg, order_msg) -> None:
    """Raise for the first u32 j (at base + 4j) out of range (E_INDEX_RANGE, which wins) or out of order."""
    hits = np.flatnonzero(rng | order)
    if hits.size:
        j = int(hits[0])
        if rng[j]:
            raise FormatError('E_INDEX_RANGE', base + 4 * j, range_msg(j))
        raise FormatError('E_INDEX_ORDER', base + 4 * j, order_msg(j))


def _coo(buf, f, ib, n, k, dims, b):
    idx = _u32s(buf, f, k)
    order = np.zeros(k, dtype=bool)
    order[1:] = idx[1:] <= idx[:-1]
    _first_u32_fault(idx.astype(np.int64) >= n, order, f,
                     lambda j: f'coo index {int(idx[j])} >= length {n}',
                     lambda j: f'coo index {int(idx[j])} not above {int(idx[j - 1])}')
    return idx


def _csr(buf, f, ib, n, k, dims, b):
    rows, cols = dims
    ptr = _u32s(buf, f, rows + 1).astype(np.int64)
    if ptr[0] != 0:
        raise FormatError('E_INDEX_ORDER', f, f'csr ptr[0] = {int(ptr[0])}, must be 0')
    dec = np.flatnonzero(ptr[1:] < ptr[:-1])
    if dec.size:
        raise FormatError('E_INDEX_ORDER', f + 4 * (int(dec[0]) + 1), 'csr row pointers decrease')
    if ptr[rows] != k:
        raise FormatError('E_COUNT', f + 4 * rows, f'csr ptr[{rows}] = {int(ptr[rows])}, k is {k}')
    g = f + 4 * (rows + 1)
    col = _u32s(buf, g, k).astype(np.int64)
    row = np.repeat(np.arange(rows, dtype=np.int64), np.diff(ptr))
    first = np.zeros(k, dtype=bool)
    first[ptr[:-1][ptr[:-1] < ptr[1:]]] = True        # first column of each non-empty row
    order = np.zeros(k, dtype=bool)
    order[1:] = (col[1:] <= col[:-1]) & ~first[1:]
    _first_u32_fault(col >= cols, order, g,
                     lambda j: f'csr column {int(col[j])} >= row width {cols}',
                     lambda j: f'csr column {int(col[j])} not above the previous one')
    return (row * cols + col).astype(np.uint32)


def _bitmap(buf, f, ib, n, k, dims, b):
    payload = np.frombuffer(buf, dtype=np.uint8, count=ib, offset=f)
    nz = np.flatnonzero(payload)
    bits = np.unpackbits(payload[nz][:, None], axis=1, bitorder='little').astype(bool)
    pos = (nz[:, None].astype(np.int64) * 8 + np.arange(8, dtype=np.int64))[bits]   # ascending
    over = np.flatnonzero(pos >= n)
    t = min(int(over[0]) if over.size else pos.size, k)
    if t < pos.size:
        o = f + int(pos[t]) // 8
        if pos[t] >= n:
            raise FormatError('E_INDEX_RANGE', o, f'bitmap bit {int(pos[t])} at or past length {n}')
        raise FormatError('E_COUNT', o, f'bitmap has more than k = {k} set bits')
    if pos.size < k:
        raise FormatError('E_COUNT', f + ib, f'bitmap has {pos.size} set bits, k is {k}')
    return pos.astype(np.uint32)


def _varint(buf: bytes, o: int, lim: int) -> Tuple[int, int]:
    """One canonical LEB128 u32 at o (payload ends at lim): (value, next offset)."""
    v, start = 0, o
    for m in range(5):
        if o >= lim:
            raise FormatError('E_COUNT', lim, 'payload ends inside a varint')
        byte = buf[o]
        o += 1
        if m == 4 and byte > 0x0F:
            raise FormatError('E_VARINT', start, 'varint exceeds 2^32 - 1 or is longer than 5 bytes')
        v |= (byte & 0x7F) << (7 * m)
        if byte < 0x80:
            if m > 0 and byte == 0:
                raise FormatError('E_VARINT', start, 'over-long varint')
            return v, o
    raise AssertionError('unreachable')


def _varint_fast(buf, f, ib, n, k):
    """Vectorised decode of a well-formed varint payload; None when anything is off (slow path decides)."""
    a = np.frombuffer(buf, dtype=np.uint8, count=ib, offset=f)
    term = np.flatnonzero(a < 0x80)
    if term.size != k or int(term[-1]) != ib - 1:
        return None
    starts = np.concatenate(([0], term[:-1] + 1))
    lens = term - starts + 1
    last = a[term]
    if lens.max() > 5 or np.any((lens > 1) & (last == 0)) or np.any((lens == 5) & (last > 0x0F)):
        return None
    within = np.arange(ib) - np.repeat(starts, lens)
    v = np.add.reduceat((a & 0x7F).astype(np.uint64) << (7 * within).astype(np.uint64), starts)
    idx = np.cumsum(v + np.uint64(1)) - np.uint64(1)
    if int(idx[-1]) >= n:
        return None
    return idx.astype(np.uint32)


def _varint_code(buf, f, ib, n, k, dims, b):
    if k > 0:
        fast = _varint_fast(buf, f, ib, n, k)
        if fast is not None:
            return fast
    lim, o, prev = f + ib, f, -1
    out = np.empty(k, dtype=np.uint32)
    for j in range(k):
        g, o2 = _varint(buf, o, lim)
        i = prev + 1 + g
        if i >= n:
            raise FormatError('E_INDEX_RANGE', o, f'varint index {i} >= length {n}')
        out[j], prev, o = i, i, o2
    if o < lim:
        raise FormatError('E_COUNT', o, f'bytes left after the k = {k} varints')
    return out


def _rle(buf, f, ib, n, k, dims, b):
    lim, o, got, after = f + ib, f, 0, None
    starts, lens = [], []
    while got < k:
        op = o
        z, o = _varint(buf, o, lim)
        ln, o = _varint(buf, o, lim)
        s = z if after is None else after + 1 + z
        ln += 1
        if s + ln > n:
            raise FormatError('E_INDEX_RANGE', op, f'run [{s}, {s + ln}) past length {n}')
        if got + ln > k:
            raise FormatError('E_COUNT', op, f'runs hold more than k = {k} indices')
        starts.append(s)
        lens.append(ln)
        got += ln
        after = s + ln
    if o < lim:
        raise FormatError('E_COUNT', o, f'bytes left after the k = {k} indices')
    if k == 0:
        return np.zeros(0, dtype=np.uint32)
    st = np.array(starts, dtype=np.int64)
    ln_a = np.array(lens, dtype=np.int64)
    offs = np.arange(k, dtype=np.int64) - np.repeat(np.cumsum(ln_a) - ln_a, ln_a)
    return (np.repeat(st, ln_a) + offs).astype(np.uint32)


def _rice(buf, f, ib, n, k, dims, b):
    payload = np.frombuffer(buf, dtype=np.uint8, count=ib, offset=f)
    ones = np.flatnonzero(np.unpackbits(payload, bitorder='little')).tolist()
    nbits, lim = 8 * ib, f + ib
    out = np.empty(k, dtype=np.uint32)
    p, oi, prev, mask = 0, 0, -1, (1 << b) - 1
    for j in range(k):
        o = f + p // 8
        while oi < len(ones) and ones[oi] < p:
            oi += 1
        if oi == len(ones):
            raise FormatError('E_COUNT', lim, 'rice stream ends before a code word is complete')
        q = ones[oi] - p
        p = ones[oi] + 1
        if p + b > nbits:
            raise FormatError('E_COUNT', lim, 'rice stream ends inside a remainder')
        rem = 0
        if b:
            rem = (int.from_bytes(buf[f + p // 8:f + (p + b + 7) // 8], 'little') >> (p % 8)) & mask
        p += b
        i = prev + 1 + (q << b) + rem
        if i >= n:
            raise FormatError('E_INDEX_RANGE', o, f'rice index {i} >= length {n}')
        out[j], prev = i, i
    if p % 8 and payload[p // 8] >> (p % 8):
        raise FormatError('E_RESERVED', f + p // 8, 'non-zero rice pad bits')
    used = (p + 7) // 8
    if used < ib:
        raise FormatError('E_COUNT', f + used, f'bytes left after the k = {k} code words')
    return out


_INDEX_DECODERS = {COO: _coo, CSR: _csr, BITMAP: _bitmap, RLE: _rle, VARINT: _varint_code, RICE: _rice}


# ---------------------------------------------------------------------------------------------
# Value codes

def _nonfinite(bad: np.ndarray, g: int, width: int, what: str) -> None:
    hits = np.flatnonzero(bad)
    if hits.size:
        raise FormatError('E_NONFINITE_VALUE', g + width * int(hits[0]), f'{what} value {int(hits[0])} is NaN or infinite')


def _decode_values(buf, g, vb, k, vc, pbits, allow):
    if vc == F32:
        bits = np.frombuffer(buf, dtype='<u4', count=k, offset=g).astype(np.uint32)
        if not allow:
            _nonfinite((bits & 0x7F800000) == 0x7F800000, g, 4, 'f32')
        return bits.view(np.float32)
    if vc in (F16, BF16):
        h = np.frombuffer(buf, dtype='<u2', count=k, offset=g).astype(np.uint16)
        exp = 0x7C00 if vc == F16 else 0x7F80
        if not allow:
            _nonfinite((h & exp) == exp, g, 2, VALUE_CODES[vc])
        if vc == F16:
            return h.view(np.float16).astype(np.float32)   # exact, subnormals included
        return (h.astype(np.uint32) << 16).view(np.float32)
    scale = np.array([pbits], dtype=np.uint32).view(np.float32)[0]
    if vc == INT8:
        q = np.frombuffer(buf, dtype=np.int8, count=k, offset=g)
        with np.errstate(over='ignore'):
            vals = q.astype(np.float32) * scale          # one f32 multiplication each
        bad_q = q == -128
        bad_v = np.zeros(k, dtype=bool) if allow else ~np.isfinite(vals)
        hits = np.flatnonzero(bad_q | bad_v)
        if hits.size:
            j = int(hits[0])
            if bad_q[j]:
                raise FormatError('E_VALUE', g + j, f'int8 level -128 at value {j}')
            raise FormatError('E_NONFINITE_VALUE', g + j, f'int8 value {j} overflows to infinity')
        return vals.astype(np.float32)
    payload = np.frombuffer(buf, dtype=np.uint8, count=vb, offset=g)
    if k % 8 and payload[-1] >> (k % 8):
        raise FormatError('E_RESERVED', g + vb - 1, 'non-zero ternary pad bits')
    signs = np.unpackbits(payload, bitorder='little')[:k].astype(bool)
    return np.where(signs, -scale, scale).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Server-side helpers

def densify(tensor: Tensor) -> np.ndarray:
    """Dense float32 array of the tensor's length: zeros, with the kept values at their indices."""
    dense = np.zeros(tensor.length, dtype=np.float32)
    dense[tensor.indices] = tensor.values
    return dense


def aggregate(frames, weights=None):
    """Weighted mean of decoded updates: {name: dense float32}. `frames` are Frames or frame bytes
    (decoded with the default limits); `weights` default to 1 each. A tensor absent from a frame
    counts as a zero update from it (nothing was sent). Sums run in float64; each mean is rounded
    once to float32. Tensors with one name must have one length."""
    frames = [fr if isinstance(fr, Frame) else decode(fr) for fr in frames]
    w = [1.0] * len(frames) if weights is None else [float(x) for x in weights]
    if len(w) != len(frames):
        raise ValueError(f'{len(w)} weights for {len(frames)} frames')
    total = sum(w)
    if not total > 0:
        raise ValueError('weights must sum to a positive number')
    acc = {}
    for fr, wi in zip(frames, w):
        for t in fr.tensors:
            a = acc.get(t.name)
            if a is None:
                a = acc[t.name] = np.zeros(t.length, dtype=np.float64)
            elif a.size != t.length:
                raise ValueError(f"tensor '{t.name}' has lengths {a.size} and {t.length}")
            a[t.indices] += wi * t.values.astype(np.float64)   # indices are unique within a tensor
    return {name: (a / total).astype(np.float32) for name, a in acc.items()}


def _hex32(x: int) -> str:
    return f'{x:08x}'


def _tensor_json(t: Tensor) -> dict:
    out = {
        'name': t.name, 'method': t.method, 'length': t.length,
        'shape': None if t.shape is None else list(t.shape),
        'indexCode': t.index_code, 'valueCode': t.value_code, 'indexParam': t.index_param,
        'valueParamF32Hex': _hex32(t.value_param_bits), 'indexBytes': t.index_bytes,
        'valueBytes': t.value_bytes, 'sectionBytes': t.section_bytes,
        'indices': t.indices.tolist(),
        'valuesF32Hex': [_hex32(x) for x in t.values.view(np.uint32).tolist()],
    }
    if t.unit != 'element':
        out['unit'] = t.unit
    if t.units is not None:
        out['units'] = t.units.tolist()
        out['unitDims'] = list(t.unit_dims)
    if t.nm is not None:
        out['nm'] = list(t.nm)
    if t.mask_sent is not None:
        out['maskSent'] = t.mask_sent
    return out


def frame_to_json(frame: Frame) -> dict:
    """The frame as plain JSON data, with the field names of tests/vectors/*.json `decoded`."""
    return {
        'version': frame.version, 'step': frame.step, 'totalBytes': frame.total_bytes,
        'checksum': _hex32(frame.checksum),
        'tensors': [_tensor_json(t) for t in frame.tensors],
    }


def main(argv=None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog='sparsegrad_decode.py', description='Decode a sparsegrad frame (docs/wire-format.md).')
    ap.add_argument('frame', help='frame file (.sgd)')
    ap.add_argument('--json', action='store_true', help='print the decoded frame as JSON')
    ap.add_argument('--dense', metavar='OUT.f32', help='write every tensor densified, concatenated in frame order, as raw little-endian float32')
    ap.add_argument('--max-bytes', type=int, default=None)
    ap.add_argument('--max-elements', type=int, default=None)
    ap.add_argument('--allow-nonfinite', action='store_true')
    ap.add_argument('--masks', metavar='STORE.json', help='mask store {name: [indices]}: read, and rewritten after a good frame')
    args = ap.parse_args(argv)
    try:
        with open(args.frame, 'rb') as fh:
            data = fh.read()
    except OSError as e:
        print(f'error: cannot read {args.frame}: {e.strerror}', file=sys.stderr)
        return 1
    masks = None
    if args.masks:
        try:
            with open(args.masks, encoding='utf-8') as fh:
                masks = {k: np.asarray(v, dtype=np.int64) for k, v in json.load(fh).items()}
        except FileNotFoundError:
            masks = {}
        except (OSError, ValueError, AttributeError, TypeError) as e:
            print(f'error: cannot read the mask store {args.masks}: {e}', file=sys.stderr)
            return 1
    try:
        frame = decode(data, max_elements=args.max_elements, max_bytes=args.max_bytes, allow_nonfinite=args.allow_nonfinite,
                       masks=masks)
    except FormatError as e:
        print(f'error: {e.code} at offset {e.offset}: {e.message}', file=sys.stderr)
        return 1
    if masks is not None:
        with open(args.masks, 'w', encoding='utf-8') as fh:
            json.dump({k: [int(x) for x in v] for k, v in masks.items()}, fh)
    if args.dense:
        with open(args.dense, 'wb') as fh:
            for t in frame.tensors:
                fh.write(densify(t).astype('<f4').tobytes())
    if args.json:
        json.dump(frame_to_json(frame), sys.stdout)
        sys.stdout.write('\n')
    elif not args.dense:
        print(f'step {frame.step}, {len(frame.tensors)} tensors, {frame.total_bytes} bytes, crc32c {_hex32(frame.checksum)}')
        for t in frame.tensors:
            shape = 'flat' if t.shape is None else 'x'.join(map(str, t.shape)) or 'scalar'
            unit = '' if t.unit == 'element' else f', unit {t.unit}'
            print(f'  {t.name}: {t.method}, length {t.length} ({shape}), k {t.indices.size}, '
                  f'{t.index_code}/{t.value_code}, {t.section_bytes} bytes{unit}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
