/**
 * File input and output for the CLI: raw little-endian float32 tensors, frames, and state files
 * written atomically. File-system failures become {@link CliInputError}s with a one-line message
 * (exit code 1), never a raw Node error with a stack trace.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { SparsegradError } from '../ts-api/index.ts';

/** A file could not be read or written, or its bytes are not what the command needs. */
export class CliInputError extends SparsegradError {
  constructor(message: string) {
    super('E_INPUT', message);
  }
}

/** Output streams of one CLI run (injected so the CLI can run in-process too). */
export interface CliIO {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

function errnoOf(e: unknown): string | undefined {
  return e !== null && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** "ENOENT: no such file or directory, open 'x'" -> "no such file or directory (ENOENT)". */
function reason(e: unknown): string {
  const code = errnoOf(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code !== undefined && message.startsWith(`${code}: `)) {
    const text = message.slice(code.length + 2);
    const comma = text.indexOf(', ');
    return `${comma >= 0 ? text.slice(0, comma) : text} (${code})`;
  }
  return message;
}

/**
 * Reads a whole file.
 * @param what what the file is, for the error message (e.g. `input`, `frame`).
 * @throws CliInputError when the file cannot be read.
 */
export function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliInputError(`cannot read ${what} '${path}': ${reason(e)}`);
  }
}

/**
 * Reads a file that may be absent: undefined when it does not exist.
 * @throws CliInputError when it exists but cannot be read.
 */
export function readOptionalBytes(path: string, what: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw new CliInputError(`cannot read ${what} '${path}': ${reason(e)}`);
  }
}

/**
 * Reads raw little-endian float32 values (the file length must be a multiple of 4).
 * Bit patterns are kept exactly (NaN payloads included).
 * @throws CliInputError when the file cannot be read or its length is not a multiple of 4.
 */
export function readF32(path: string): Float32Array {
  const bytes = readBytes(path, 'input');
  if (bytes.length % 4 !== 0) {
    throw new CliInputError(`input '${path}' has ${bytes.length} bytes, not a multiple of 4 (raw little-endian float32 expected)`);
  }
  const n = bytes.length / 4;
  if (LITTLE_ENDIAN_HOST) return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
  return out;
}

/** The little-endian bytes of float32 values (a view on little-endian hosts, no copy). */
export function f32Bytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(4 * i, values[i]!, true);
  return out;
}

function writeAll(path: string, bytes: Uint8Array, sync: boolean): void {
  const fd = openSync(path, 'w');
  try {
    let p = 0;
    while (p < bytes.length) p += writeSync(fd, bytes, p, bytes.length - p);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a whole file (created or truncated).
 * @throws CliInputError when it cannot be written.
 */
export function writeBytes(path: string, bytes: Uint8Array, what: string): void {
  try {
    writeAll(path, bytes, false);
  } catch (e) {
    throw new CliInputError(`cannot write ${what} '${path}': ${reason(e)}`);
  }
}

/**
 * Replaces a file atomically: writes `PATH.tmp`, flushes it to disk, then renames it over `PATH`,
 * so a reader sees the old content or the new one, never a mix. The temporary file is removed on
 * failure.
 * @throws CliInputError when it cannot be written or renamed.
 */
export function writeAtomic(path: string, bytes: Uint8Array, what: string): void {
  const tmp = `${path}.tmp`;
  try {
    writeAll(tmp, bytes, true);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the original error is the one worth reporting
    }
    throw new CliInputError(`cannot write ${what} '${path}': ${reason(e)}`);
  }
}
