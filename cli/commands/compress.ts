/**
 * `sparsegrad compress IN.f32 -o OUT --method M (--density D | --k N | --threshold T) [...]`:
 * one error-feedback step over one tensor, written as one frame (docs/wire-format.md).
 *
 * With `--state STATE` the compressor's state (step counter and residual) is restored from STATE
 * when it exists and, only after the step succeeded and OUT was written, replaced atomically. With a
 * lossy value code the quantisation error of every sent value goes back into the residual
 * (`r[i] += f32(sent[i] - quantised[i])`), so that error feedback accounts for exactly what the
 * receiver decodes (Seide et al., "1-bit SGD", 2014; Karimireddy et al., "Error Feedback Fixes
 * SignSGD", ICML 2019).
 */
import { basename, extname } from 'node:path';
import { ConfigError, createCompressor, ShapeError, type CompressorOptions, type Method, type StructuredMethod } from '../../ts-api/index.ts';
import {
  inspectFrame, INDEX_CODE_NAMES, VALUE_CODE_NAMES,
  type IndexCodeChoice, type ValueCodeName,
} from '../../ts-api/codec/index.ts';
import { parseArgs, parseIntList, UsageError, type FlagSpecs, type ParsedArgs } from '../args.ts';
import { isU32 } from '../../ts-api/codec/bytes.ts';
import { readBytes, readF32, readOptionalBytes, writeAtomic, writeBytes, type CliIO } from '../io.ts';

/** The selection methods `compress` accepts (one tensor per run, so no `hybrid`). */
export const COMPRESS_METHODS = [
  'topk', 'threshold', 'randomk', 'probabilistic', 'approx-topk', 'percentile', 'global-topk',
  'block', 'channel', 'head', 'row', 'column', 'nm',
] as const satisfies readonly (Method | StructuredMethod)[];
const STRUCTURED_METHODS: readonly string[] = ['block', 'channel', 'head', 'row', 'column', 'nm'];

const INDEX_CHOICES: readonly string[] = ['auto', ...INDEX_CODE_NAMES];

/** Flags of `compress`. */
export const COMPRESS_FLAGS: FlagSpecs = {
  output: { kind: 'string', short: 'o' },
  config: { kind: 'string' },
  method: { kind: 'string', choices: COMPRESS_METHODS },
  density: { kind: 'number' },
  k: { kind: 'number' },
  threshold: { kind: 'number' },
  seed: { kind: 'number' },
  step: { kind: 'number' },
  state: { kind: 'string' },
  name: { kind: 'string' },
  values: { kind: 'string', choices: VALUE_CODE_NAMES },
  index: { kind: 'string', choices: INDEX_CHOICES },
  shape: { kind: 'string' },
  block: { kind: 'string' },
  heads: { kind: 'number' },
  'head-layout': { kind: 'string', choices: ['rows', 'cols'] },
  nm: { kind: 'string' },
  score: { kind: 'string', choices: ['l1', 'l2', 'max'] },
  rescale: { kind: 'boolean' },
  'no-error-feedback': { kind: 'boolean' },
  verbose: { kind: 'boolean' },
};

/** Everything `compress` needs, checked for usage errors. */
interface CompressPlan {
  input: string;
  output: string;
  /** Path of a JSON configuration (CompressorOptions) that the flags override. */
  config: string | undefined;
  /** Options given by flags. */
  options: Partial<CompressorOptions>;
  step: number | undefined;
  state: string | undefined;
  name: string;
  valueCode: ValueCodeName;
  indexCode: IndexCodeChoice;
  shape: number[] | undefined;
  verbose: boolean;
}

function planFrom(args: ParsedArgs): CompressPlan {
  const [input] = args.expectPositionals('compress', ['IN']) as [string];
  const output = args.string('output');
  if (output === undefined) throw new UsageError('compress: missing -o OUT');
  const config = args.string('config');
  const method = args.string('method') as Method | StructuredMethod | undefined;
  if (method === undefined && config === undefined) throw new UsageError('compress: missing --method (or --config)');
  const density = args.number('density');
  const k = args.number('k');
  const threshold = args.number('threshold');
  if (method === undefined || config !== undefined) {
    // With --config the merged options are validated by the library (bad config: exit 1).
    if (density !== undefined && k !== undefined) throw new UsageError('compress: give --density or --k, not both');
  } else if (method === 'nm') {
    if (density !== undefined || k !== undefined || threshold !== undefined) {
      throw new UsageError('compress: --method nm keeps N of every M (--nm N:M) and takes no --density/--k/--threshold');
    }
  } else if (method === 'threshold') {
    const given = [density, k, threshold].filter((v) => v !== undefined).length;
    if (given !== 1) throw new UsageError('compress: --method threshold needs exactly one of --threshold, --density, --k');
  } else {
    if (threshold !== undefined) throw new UsageError('compress: --threshold applies to --method threshold only');
    if (density !== undefined && k !== undefined) throw new UsageError('compress: give --density or --k, not both');
    if (density === undefined && k === undefined) throw new UsageError(`compress: --method ${method} needs --density or --k`);
  }
  // Values that are wrong whatever the input file holds are usage errors (exit 2).
  if (density !== undefined && !(density > 0 && density <= 1)) throw new UsageError(`compress: --density must be in (0, 1], got ${density}`);
  if (k !== undefined && !(Number.isInteger(k) && k >= 0)) throw new UsageError(`compress: --k must be a non-negative integer, got ${k}`);
  if (threshold !== undefined && !(threshold >= 0)) throw new UsageError(`compress: --threshold must be >= 0, got ${threshold}`);
  for (const flag of ['seed', 'step'] as const) {
    const v = args.number(flag);
    if (v !== undefined && !isU32(v)) {
      throw new UsageError(`compress: --${flag} must be an integer in [0, 2^32), got ${v}`);
    }
  }
  const rescale = args.flag('rescale');
  if (rescale && method !== 'randomk') throw new UsageError('compress: --rescale applies to --method randomk only');
  const shapeText = args.string('shape');
  const valueCode = (args.string('values') ?? 'f32') as ValueCodeName;
  const indexCode = (args.string('index') ?? 'auto') as IndexCodeChoice;
  const options: Partial<CompressorOptions> = {};
  if (method !== undefined) options.method = method;
  Object.assign(options, structuredFlags(args, method));
  if (args.flag('no-error-feedback')) options.errorFeedback = false;
  if (args.string('values') !== undefined || config === undefined) options.values = valueCode;
  if (args.string('index') !== undefined || config === undefined) options.index = indexCode;
  if (density !== undefined) options.density = density;
  if (k !== undefined) options.k = k;
  if (threshold !== undefined) options.threshold = threshold;
  if (rescale) options.rescale = true;
  const seed = args.number('seed');
  if (seed !== undefined) options.seed = seed;
  return {
    input,
    output,
    config,
    options,
    step: args.number('step'),
    state: args.string('state'),
    name: args.string('name') ?? basename(input, extname(input)),
    valueCode,
    indexCode,
    shape: shapeText === undefined ? undefined : parseIntList(shapeText, 'compress: option --shape'),
    verbose: args.flag('verbose'),
  };
}

/** Structured-method flags: --block B|BHxBW, --heads H, --head-layout, --nm N:M, --score; --shape is required. */
function structuredFlags(args: ParsedArgs, method: string | undefined): Partial<CompressorOptions> {
  const out: Partial<CompressorOptions> = {};
  const block = args.string('block');
  const heads = args.number('heads');
  const nm = args.string('nm');
  const score = args.string('score');
  const layout = args.string('head-layout');
  const only = (flag: string, m: string) => {
    if (method !== undefined && method !== m) throw new UsageError(`compress: --${flag} applies to --method ${m} only`);
  };
  if (block !== undefined) {
    only('block', 'block');
    const m = /^(\d+)(?:x(\d+))?$/.exec(block);
    if (!m || Number(m[1]) < 1 || (m[2] !== undefined && Number(m[2]) < 1)) {
      throw new UsageError(`compress: --block expects B or BHxBW with positive integers, got '${block}'`);
    }
    out.block = m[2] === undefined ? Number(m[1]) : [Number(m[1]), Number(m[2])];
  }
  if (heads !== undefined) {
    only('heads', 'head');
    if (!(Number.isInteger(heads) && heads >= 1)) throw new UsageError(`compress: --heads must be a positive integer, got ${heads}`);
    out.heads = heads;
  }
  if (layout !== undefined) {
    only('head-layout', 'head');
    out.headLayout = layout as 'rows' | 'cols';
  }
  if (nm !== undefined) {
    only('nm', 'nm');
    const m = /^(\d+):(\d+)$/.exec(nm);
    if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) < 1 || Number(m[2]) > 32) {
      throw new UsageError(`compress: --nm expects N:M with 0 <= N <= M <= 32, got '${nm}'`);
    }
    out.nm = [Number(m[1]), Number(m[2])];
  }
  if (score !== undefined) {
    if (method !== undefined && !STRUCTURED_METHODS.includes(method)) throw new UsageError('compress: --score applies to structured methods only');
    out.score = score as 'l1' | 'l2' | 'max';
  }
  if (method === 'head' && heads === undefined && args.string('config') === undefined) throw new UsageError('compress: --method head needs --heads H');
  const shape = args.string('shape');
  if (shape !== undefined) out.shape = parseIntList(shape, 'compress: option --shape');
  return out;
}

const TENSOR_LEVEL = ['method', 'density', 'k', 'threshold', 'rescale', 'values', 'index', 'shape', 'block', 'score', 'heads', 'headLayout', 'nm'];

/**
 * Flags override the configuration everywhere: at the top level, and for the tensor too (as a last
 * `**` entry, since per-tensor pattern entries would otherwise win over top-level options).
 */
function mergeFlags(config: Partial<CompressorOptions>, flags: Partial<CompressorOptions>): CompressorOptions {
  const merged = { ...config, ...flags } as CompressorOptions;
  if (config.tensors === undefined) return merged;
  const tensorFlags = Object.fromEntries(Object.entries(flags).filter(([key]) => TENSOR_LEVEL.includes(key)));
  const tensors = { ...config.tensors };
  const last = tensors['**'];
  delete tensors['**'];
  tensors['**'] = { ...last, ...tensorFlags };
  merged.tensors = tensors;
  return merged;
}

/** Reads a JSON configuration file (the declarative CompressorOptions); CliInputError when unreadable. */
function readConfig(path: string): Partial<CompressorOptions> {
  const text = new TextDecoder().decode(readBytes(path, 'config'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config '${path}' is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config '${path}' must hold a JSON object of compressor options`);
  }
  return parsed as Partial<CompressorOptions>;
}

/**
 * Runs `sparsegrad compress`.
 * @throws UsageError on bad usage; a SparsegradError (ConfigError, NonFiniteError, StateError,
 *   CliInputError, ...) on bad input. OUT and STATE are left untouched when the step fails.
 */
export async function runCompress(argv: readonly string[], io: CliIO): Promise<void> {
  const plan = planFrom(parseArgs(argv, COMPRESS_FLAGS, 'compress'));
  const options = mergeFlags(plan.config === undefined ? {} : readConfig(plan.config), plan.options);
  const compressor = await createCompressor(options);
  try {
    const saved = plan.state === undefined ? undefined : readOptionalBytes(plan.state, 'state');
    const data = readF32(plan.input);
    if (plan.shape !== undefined) {
      const product = plan.shape.reduce((a, d) => a * d, 1);
      if (product !== data.length) {
        throw new ShapeError(`--shape ${plan.shape.join(',')} has ${product} elements, but '${plan.input}' has ${data.length}`);
      }
    }
    if (saved !== undefined) compressor.restoreState(saved);
    // The compressor applies the value code: a lossy code's error goes into the residual in the step.
    const result = compressor.step([[plan.name, data]], plan.step === undefined ? {} : { step: plan.step });
    const frame = compressor.encode(result);
    const state = plan.state === undefined ? undefined : compressor.saveState();
    writeBytes(plan.output, frame, 'output');
    if (plan.state !== undefined && state !== undefined) writeAtomic(plan.state, state, 'state');
    if (plan.verbose) io.err(`${summary(frame, plan)}\n`);
  } finally {
    compressor.dispose();
  }
}

function summary(frame: Uint8Array, plan: CompressPlan): string {
  const f = inspectFrame(frame);
  const t = f.tensors[0]!;
  const index = t.indexCode === 'rice' ? `rice(b=${t.indexParam})` : t.indexCode;
  return `compressed '${t.name}' step ${f.step} (${t.method}): kept ${t.k} of ${t.length} ` +
    `(${(100 * t.density).toFixed(3)}%), frame ${f.totalBytes} bytes (index ${index}, values ${t.valueCode}), ` +
    `${f.ratioVsDenseF32.toFixed(2)}x smaller than dense f32 -> ${plan.output}` +
    (plan.state === undefined ? '' : `, state -> ${plan.state}`);
}
