/**
 * `sparsegrad inspect IN [--json]`: validates a frame (docs/wire-format.md) and prints its header
 * and, per tensor, its method, codes, byte counts, bits per index (against the entropy bound
 * log2 C(n, k) / k) and its compression ratio against dense float32.
 */
import { inspectFrame, type FrameSummary, type TensorSummary } from '../../ts-api/codec/index.ts';
import { parseArgs, type FlagSpecs } from '../args.ts';
import { readBytes, type CliIO } from '../io.ts';
import { LIMIT_FLAGS, limitsFrom } from './limits.ts';

/** Flags of `inspect`. */
export const INSPECT_FLAGS: FlagSpecs = {
  json: { kind: 'boolean' },
  ...LIMIT_FLAGS,
};

const bits = (x: number | null): string => (x === null ? '-' : x.toFixed(2));

function tensorLines(t: TensorSummary): string[] {
  const shape = t.shape === null ? '' : ` [${t.shape.join('x')}]`;
  const index = t.indexCode === 'rice' ? `rice (b=${t.indexParam})` : t.indexCode;
  const value = t.valueCode === 'int8' ? `int8 (scale ${t.valueParam})`
    : t.valueCode === 'ternary' ? `ternary (magnitude ${t.valueParam})` : t.valueCode;
  const unit = t.unit === 'rect'
    ? [`  unit:   rect ${t.unitDims!.join('x')} (grid ${t.unitGrid!.join('x')}), ${t.keptUnits} of ${t.unitGrid!.reduce((a, g) => a * g, 1)} units kept`]
    : t.unit === 'nm' ? [`  unit:   nm ${t.nm![0]}:${t.nm![1]} along the last dimension`]
    : t.unit === 'mask' ? [`  unit:   mask (${t.maskSent ? 'mask sent' : 'values only: the receiver holds the mask'})`]
    : [];
  return [
    `tensor '${t.name}': method ${t.method}, length ${t.length}${shape}, kept ${t.k} (density ${(100 * t.density).toFixed(4)}%)`,
    ...unit,
    `  index:  ${index}, ${t.indexBytes} bytes, ${bits(t.bitsPerIndex)} bits/index (entropy bound ${bits(t.entropyBitsPerIndex)})`,
    `  values: ${value}, ${t.valueBytes} bytes, ${bits(t.bitsPerValue)} bits/value`,
    `  section: ${t.sectionBytes} bytes, ${t.ratioVsDenseF32.toFixed(2)}x smaller than dense f32 (${4 * t.length} bytes)`,
  ];
}

/** The human-readable report of a frame summary (one line per header or tensor fact). */
export function formatSummary(s: FrameSummary): string {
  const dense = s.tensors.reduce((a, t) => a + 4 * t.length, 0);
  const lines = [
    `frame: version ${s.version}, step ${s.step}, ${s.tensorCount} tensor${s.tensorCount === 1 ? '' : 's'}, ` +
      `${s.totalBytes} bytes, crc32c ${s.checksum}`,
    `ratio: ${s.ratioVsDenseF32.toFixed(2)}x smaller than dense f32 (${dense} bytes)`,
  ];
  for (const t of s.tensors) lines.push(...tensorLines(t));
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `sparsegrad inspect`.
 * @throws UsageError on bad usage; FormatError on bad frame bytes; CliInputError when IN cannot be read.
 */
export async function runInspect(argv: readonly string[], io: CliIO): Promise<void> {
  const args = parseArgs(argv, INSPECT_FLAGS, 'inspect');
  const [input] = args.expectPositionals('inspect', ['IN']) as [string];
  const summary = inspectFrame(readBytes(input, 'frame'), limitsFrom(args));
  io.out(args.flag('json') ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
}
