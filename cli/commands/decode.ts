/**
 * `sparsegrad decode IN (-o OUT.f32 | --json) [--max-elements N] [--max-bytes N]`: validates a
 * frame (docs/wire-format.md) and writes its dense tensors as raw little-endian float32 (zeros where
 * nothing was kept, tensors concatenated in frame order), or prints its sparse content as JSON.
 */
import { decodeFrame, type DecodedTensor } from '../../ts-api/codec/index.ts';
import { parseArgs, UsageError, type FlagSpecs } from '../args.ts';
import { f32Bytes, readBytes, writeBytes, type CliIO } from '../io.ts';
import { LIMIT_FLAGS, limitsFrom } from './limits.ts';

/** Flags of `decode`. */
export const DECODE_FLAGS: FlagSpecs = {
  output: { kind: 'string', short: 'o' },
  json: { kind: 'boolean' },
  ...LIMIT_FLAGS,
};

/** One tensor of `decode --json`: name, length, indices, values first; shape only when declared. */
export interface DecodeJsonTensor {
  name: string;
  length: number;
  indices: number[];
  values: number[];
  shape?: number[];
}

/** The JSON form of decoded tensors: `{"tensors":[{"name","length","indices","values"}, ...]}`. */
export function decodeJson(tensors: readonly DecodedTensor[]): { tensors: DecodeJsonTensor[] } {
  return {
    tensors: tensors.map((t) => {
      const out: DecodeJsonTensor = { name: t.name, length: t.length, indices: Array.from(t.indices), values: Array.from(t.values) };
      if (t.shape !== undefined) out.shape = t.shape;
      return out;
    }),
  };
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
 * Runs `sparsegrad decode`.
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
  const frame = decodeFrame(readBytes(input, 'frame'), limits);
  if (output !== undefined) writeBytes(output, f32Bytes(denseConcat(frame.tensors)), 'output');
  if (json) io.out(`${JSON.stringify(decodeJson(frame.tensors))}\n`);
}
