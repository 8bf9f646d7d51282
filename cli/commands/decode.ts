/**
 * `sparsegrad decode IN (-o OUT.f32 | --json) [--max-elements N] [--max-bytes N] [--masks STORE]`:
 * validates a frame (docs/wire-format.md) and writes its dense tensors as raw little-endian float32
 * (zeros where nothing was kept, tensors concatenated in frame order), or prints its sparse content
 * as JSON. Indices are element indices whatever the unit; structured sections add their unit.
 */
import { ConfigError } from '../../ts-api/index.ts';
import { decodeFrame, type DecodedTensor } from '../../ts-api/codec/index.ts';
import { isU32 } from '../../ts-api/codec/bytes.ts';
import { parseArgs, UsageError, type FlagSpecs } from '../args.ts';
import { f32Bytes, readBytes, readOptionalBytes, writeAtomic, writeBytes, type CliIO } from '../io.ts';
import { LIMIT_FLAGS, limitsFrom } from './limits.ts';

/** Flags of `decode`. */
export const DECODE_FLAGS: FlagSpecs = {
  output: { kind: 'string', short: 'o' },
  json: { kind: 'boolean' },
  masks: { kind: 'string' },
  ...LIMIT_FLAGS,
};

/**
 * One tensor of `decode --json`: name, length, indices (elements), values first; shape only when
 * declared; for structured sections the unit and its parameters (rect: `units`, `unitDims`;
 * nm: `nm`; mask: `maskSent`).
 */
export interface DecodeJsonTensor {
  name: string;
  length: number;
  indices: number[];
  values: number[];
  shape?: number[];
  method?: string;
  unit?: string;
  units?: number[];
  unitDims?: number[];
  nm?: [number, number];
  maskSent?: boolean;
}

/** The JSON form of decoded tensors: `{"tensors":[{"name","length","indices","values"}, ...]}`. */
export function decodeJson(tensors: readonly DecodedTensor[]): { tensors: DecodeJsonTensor[] } {
  return {
    tensors: tensors.map((t) => {
      const out: DecodeJsonTensor = { name: t.name, length: t.length, indices: Array.from(t.indices), values: Array.from(t.values) };
      if (t.shape !== undefined) out.shape = t.shape;
      if (t.unit !== undefined && t.unit !== 'element') {
        out.method = t.method;
        out.unit = t.unit;
      }
      if (t.units !== undefined) out.units = Array.from(t.units);
      if (t.unitDims !== undefined) out.unitDims = t.unitDims;
      if (t.nm !== undefined) out.nm = t.nm;
      if (t.maskSent !== undefined) out.maskSent = t.maskSent;
      return out;
    }),
  };
}

/** Reads a mask store file ({"name": [indices], ...}; absent: empty). */
function readMasks(path: string): Map<string, Uint32Array> {
  const bytes = readOptionalBytes(path, 'mask store');
  if (bytes === undefined) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ConfigError(`mask store '${path}' is not valid JSON: ${(e as Error).message}`);
  }
  const ok = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => Array.isArray(v) && v.every(isU32));
  if (!ok) throw new ConfigError(`mask store '${path}' must be a JSON object of name -> array of indices`);
  return new Map(Object.entries(parsed as Record<string, number[]>).map(([k, v]) => [k, Uint32Array.from(v)]));
}

/** All tensors densified into one Float32Array, in frame order. */
export function denseConcat(tensors: readonly DecodedTensor[]): Float32Array {
  const dense = new Float32Array(tensors.reduce((a, t) => a + t.length, 0));
  let base = 0;
  for (const t of tensors) {
    for (let j = 0; j < t.indices.length; j++) dense[base + t.indices[j]!] = t.values[j]!;
    base += t.length;
  }
  return dense;
}

/**
 * Runs `sparsegrad decode`. With `--masks STORE` the mask store (learned masks sent without their
 * mask take theirs from it) is read from STORE when it exists and, after a good frame, rewritten.
 * @throws UsageError on bad usage (no -o and no --json); FormatError on bad frame bytes;
 *   CliInputError when a file cannot be read or written.
 */
export async function runDecode(argv: readonly string[], io: CliIO): Promise<void> {
  const args = parseArgs(argv, DECODE_FLAGS, 'decode');
  const [input] = args.expectPositionals('decode', ['IN']) as [string];
  const output = args.string('output');
  const json = args.flag('json');
  if (output === undefined && !json) throw new UsageError('decode: missing -o OUT.f32 (or --json)');
  const limits = limitsFrom(args);
  const masksPath = args.string('masks');
  const masks = masksPath === undefined ? undefined : readMasks(masksPath);
  const frame = decodeFrame(readBytes(input, 'frame'), limits, { masks });
  if (output !== undefined) writeBytes(output, f32Bytes(denseConcat(frame.tensors)), 'output');
  if (masksPath !== undefined && masks !== undefined) {
    const text = JSON.stringify(Object.fromEntries([...masks].map(([k, v]) => [k, Array.from(v)])));
    writeAtomic(masksPath, new TextEncoder().encode(`${text}\n`), 'mask store');
  }
  if (json) io.out(`${JSON.stringify(decodeJson(frame.tensors))}\n`);
}
