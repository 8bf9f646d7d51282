/**
 * Compressor configuration: one set of options for every tensor, with per-tensor overrides,
 * validated up front with clear ConfigErrors, and resolved per tensor into the parameters a kernel
 * needs once the tensor's length is known.
 */
import { ConfigError } from './errors.ts';
import type { Method, StructuredMethod } from './types.ts';
import { type StructuredSpec, type UnitScore, structuredK, validateStructured } from './reference/structured/index.ts';
import { kFromDensity, validateDensity, validateK } from './reference/density.ts';
import { resolveApproxTopkOptions } from './reference/select_approx_topk.ts';
import type { SimdChoice } from './backends/wasm/core.ts';
import { isU32 } from './codec/bytes.ts';
import { INDEX_CODE_NAMES, VALUE_CODE_NAMES, type IndexCodeName, type ValueCodeName } from './codec/ids.ts';
import { type DynamicOptions, type Plan, validateDynamic } from './schedules/planner.ts';

/** Options that may differ per tensor. See docs/selection.md for each method's semantics. */
export interface TensorOptions {
  /** Selection method (docs/selection.md), element-wise or structured. */
  method?: Method | StructuredMethod;
  /** Dense shape (product = length): needed by structured methods, declared in frames. */
  shape?: number[];
  /** block: block size b (b×b) or [rows, cols]. */
  block?: number | [number, number];
  /** Structured score: 'l1', 'l2' (default), 'max'; heads also 'importance' (see setImportance). */
  score?: UnitScore | 'importance';
  /** head: number of heads. */
  heads?: number;
  /** head: heads own contiguous 'rows' (default) or 'cols' of the [rows, cols] matrix. */
  headLayout?: 'rows' | 'cols';
  /** nm: keep N of every M consecutive elements along the last dimension (default [2, 4]). */
  nm?: [number, number];
  /** mask: refresh the mask every this many steps (default 100). */
  maskEvery?: number;
  /** mask: EMA factor of the |g| scores (default 0.9). */
  maskBeta?: number;
  /** Fraction of elements to keep, in (0, 1]: k = round(density · n), at least 1. */
  density?: number;
  /** Number of elements to keep (instead of density). */
  k?: number;
  /** Absolute magnitude threshold (method 'threshold'); with density or k instead, 'threshold' means 'percentile'. */
  threshold?: number;
  /** randomk: rescale sent values by n/k (unbiased). Default false. */
  rescale?: boolean;
  /** approx-topk: fraction of elements sampled (default 0.01). */
  sampleFraction?: number;
  /** approx-topk: accepted relative deviation of the count from k (default 0.1). */
  tolerance?: number;
  /** approx-topk: threshold attempts before exact top-k (default 3). */
  maxIterations?: number;
  /** Value code on the wire (default f32). Lossy codes put their quantisation error into the residual. */
  values?: ValueCodeName;
  /** Index code on the wire (default auto: the smallest). */
  index?: IndexCodeName | 'auto';
}

/** Options of a compressor. */
export interface CompressorOptions extends TensorOptions, DynamicOptions {
  /** Selection method for every tensor without an override. */
  method: Method | StructuredMethod;
  /** RNG seed, an integer in [0, 2^32). Default 0. */
  seed?: number;
  /** Error feedback (residual accumulation). Default true. */
  errorFeedback?: boolean;
  /** hybrid: fraction of all elements of the step that sets the global threshold. */
  globalDensity?: number;
  /** hybrid: number of elements of the step that sets the global threshold (instead of globalDensity). */
  globalK?: number;
  /** Per-tensor overrides by tensor name or pattern (`*`, `**`, `?`); matching entries apply in key order. */
  tensors?: Record<string, TensorOptions>;
  /** Wasm build: 'auto' (default), true (require SIMD) or false (scalar). */
  simd?: SimdChoice;
  /** DGC momentum correction with this momentum factor m in [0, 1) (needs error feedback). */
  momentum?: number;
  /** Momentum-factor masking: zero the momentum where values were sent (default true). */
  momentumMasking?: boolean;
  /** Local gradient clipping: threshold of the step's total gradient norm. */
  clipNorm?: number;
  /** Number of workers N; the clipping threshold is clipNorm / sqrt(N) (default 1). */
  workers?: number;
  /** Residual decay in (0, 1]: the carried residual is multiplied by it after every step. */
  residualDecay?: number;
  /** Per-client byte budget: each step's frame (encode(result)) is at most this many bytes. */
  budgetBytes?: number;
}

const METHODS: readonly (Method | StructuredMethod)[] = [
  'topk', 'threshold', 'percentile', 'randomk', 'probabilistic', 'approx-topk', 'global-topk', 'hybrid',
  'block', 'channel', 'head', 'row', 'column', 'nm', 'mask',
];
const STRUCTURED: readonly string[] = ['block', 'channel', 'head', 'row', 'column', 'nm'];
const TENSOR_KEYS = [
  'method', 'density', 'k', 'threshold', 'rescale', 'sampleFraction', 'tolerance', 'maxIterations', 'values', 'index',
  'shape', 'block', 'score', 'heads', 'headLayout', 'nm', 'maskEvery', 'maskBeta',
];
const TOP_KEYS = [
  ...TENSOR_KEYS, 'seed', 'errorFeedback', 'globalDensity', 'globalK', 'tensors', 'simd',
  'warmupSteps', 'schedule', 'roles', 'adaptive', 'denseSyncEvery',
  'momentum', 'momentumMasking', 'clipNorm', 'workers', 'residualDecay', 'budgetBytes',
];

/** Per-tensor parameters resolved against a tensor length (what a kernel call needs). */
export type ResolvedParams =
  | { method: 'topk' | 'randomk' | 'probabilistic'; k: number; rescale: boolean }
  | { method: 'percentile'; k: number }
  | { method: 'threshold'; threshold: number }
  | { method: 'approx-topk'; k: number; sampleSize: number; stride: number; rank: number; tolerance: number; maxIterations: number }
  | { method: 'global-topk' }
  | { method: 'hybrid'; k: number }
  | { method: 'structured'; name: StructuredMethod; spec: StructuredSpec; k: number }
  | { method: 'mask'; k: number; every: number; beta: number };

function checkKeys(o: object, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new ConfigError(`${where}: unknown option '${key}'`);
  }
}

function checkTensorOptions(o: TensorOptions, where: string, method: Method | StructuredMethod, scheduled: boolean): void {
  if (!METHODS.includes(method)) {
    throw new ConfigError(`${where}: unknown method '${String(method)}' (expected one of ${METHODS.join(', ')})`);
  }
  if (o.density !== undefined) validateDensity(o.density, `${where}: density`);
  if (o.k !== undefined && (!Number.isInteger(o.k) || o.k < 0)) {
    throw new ConfigError(`${where}: k must be a non-negative integer, got ${String(o.k)}`);
  }
  if (o.density !== undefined && o.k !== undefined) throw new ConfigError(`${where}: give density or k, not both`);
  if (o.threshold !== undefined && !(Number.isFinite(o.threshold) && o.threshold >= 0)) {
    throw new ConfigError(`${where}: threshold must be a finite number >= 0, got ${String(o.threshold)}`);
  }
  if (o.rescale !== undefined && typeof o.rescale !== 'boolean') throw new ConfigError(`${where}: rescale must be a boolean`);
  if (o.values !== undefined && !VALUE_CODE_NAMES.includes(o.values)) {
    throw new ConfigError(`${where}: unknown value code '${String(o.values)}' (${VALUE_CODE_NAMES.join(', ')})`);
  }
  if (o.index !== undefined && o.index !== 'auto' && !INDEX_CODE_NAMES.includes(o.index)) {
    throw new ConfigError(`${where}: unknown index code '${String(o.index)}' (auto, ${INDEX_CODE_NAMES.join(', ')})`);
  }
  resolveApproxTopkOptions(o);
  const budget = o.density !== undefined || o.k !== undefined;
  if (method === 'threshold' && !budget && o.threshold === undefined) {
    throw new ConfigError(`${where}: method 'threshold' needs threshold (absolute) or density/k (percentile)`);
  }
  if (method === 'threshold' && budget && o.threshold !== undefined) {
    throw new ConfigError(`${where}: give threshold or density/k, not both`);
  }
  if (method !== 'threshold' && o.threshold !== undefined) {
    throw new ConfigError(`${where}: threshold applies to method 'threshold' only`);
  }
  if (o.shape !== undefined && !(Array.isArray(o.shape) && o.shape.every((d) => Number.isInteger(d) && d >= 0))) {
    throw new ConfigError(`${where}: shape must be an array of non-negative integers`);
  }
  if (o.maskEvery !== undefined && !(Number.isInteger(o.maskEvery) && o.maskEvery >= 1)) {
    throw new ConfigError(`${where}: maskEvery must be a positive integer, got ${String(o.maskEvery)}`);
  }
  if (o.maskBeta !== undefined && !(typeof o.maskBeta === 'number' && o.maskBeta >= 0 && o.maskBeta < 1)) {
    throw new ConfigError(`${where}: maskBeta must be in [0, 1), got ${String(o.maskBeta)}`);
  }
  if (method !== 'threshold' && method !== 'nm' && !budget && !scheduled) {
    throw new ConfigError(`${where}: method '${method}' needs density or k (or a schedule)`);
  }
}

/** Validates compressor options; throws ConfigError naming the first problem. */
export function validateOptions(o: CompressorOptions): void {
  if (o === null || typeof o !== 'object') throw new ConfigError('options must be an object');
  checkKeys(o, TOP_KEYS, 'options');
  if (o.seed !== undefined && !isU32(o.seed)) {
    throw new ConfigError(`seed must be an integer in [0, 2^32), got ${String(o.seed)}`);
  }
  if (o.errorFeedback !== undefined && typeof o.errorFeedback !== 'boolean') {
    throw new ConfigError('errorFeedback must be a boolean');
  }
  if (o.globalDensity !== undefined) validateDensity(o.globalDensity, 'globalDensity');
  if (o.globalK !== undefined && (!Number.isInteger(o.globalK) || o.globalK < 0)) {
    throw new ConfigError(`globalK must be a non-negative integer, got ${String(o.globalK)}`);
  }
  if (o.globalDensity !== undefined && o.globalK !== undefined) throw new ConfigError('give globalDensity or globalK, not both');
  validateDynamic(o);
  validateCompensation(o);
  const scheduled = o.schedule !== undefined;
  checkTensorOptions(o, 'options', o.method, scheduled);
  for (const [name, t] of Object.entries(o.tensors ?? {})) {
    if (t === null || typeof t !== 'object') throw new ConfigError(`tensors['${name}'] must be an object`);
    checkKeys(t, TENSOR_KEYS, `tensors['${name}']`);
    const merged = mergeOverride(tensorOptions({ ...o, tensors: {} }, name), t);
    checkTensorOptions(merged, `tensors['${name}']`, merged.method, scheduled);
  }
}

function validateCompensation(o: CompressorOptions): void {
  const num = (v: unknown, what: string, ok: (x: number) => boolean, range: string) => {
    if (v !== undefined && !(typeof v === 'number' && ok(v))) throw new ConfigError(`${what} must be ${range}, got ${String(v)}`);
  };
  num(o.momentum, 'momentum', (x) => x >= 0 && x < 1, 'in [0, 1)');
  num(o.clipNorm, 'clipNorm', (x) => Number.isFinite(x) && x > 0, 'a finite number > 0');
  num(o.workers, 'workers', (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  num(o.residualDecay, 'residualDecay', (x) => x > 0 && x <= 1, 'in (0, 1]');
  num(o.budgetBytes, 'budgetBytes', (x) => Number.isInteger(x) && x > 0, 'a positive integer');
  if (o.momentumMasking !== undefined && typeof o.momentumMasking !== 'boolean') throw new ConfigError('momentumMasking must be a boolean');
  if ((o.momentum !== undefined || o.residualDecay !== undefined) && o.errorFeedback === false) {
    throw new ConfigError('momentum correction and residual decay need error feedback');
  }
}

/**
 * Whether a tensor name matches an override key: `*` matches any run of characters other than
 * '.', `**` any run including '.', `?` one character; anything else matches itself.
 */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^.]*';
    else if (c === '?') re += '.';
    else re += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(re + '$').test(name);
}

type Effective = TensorOptions & { method: Method | StructuredMethod };

function mergeOverride(base: Effective, t: TensorOptions): Effective {
  const merged = { ...base, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) };
  if (t.density !== undefined || t.k !== undefined || t.threshold !== undefined) {
    merged.density = t.density;
    merged.k = t.k;
    merged.threshold = t.threshold;
  }
  return merged;
}

/**
 * The effective options of one tensor: the top-level options, then every `tensors` entry whose key
 * matches the name, in key order (later entries win; an entry that sets a budget replaces the
 * budget as a whole).
 */
export function tensorOptions(o: CompressorOptions, name: string): TensorOptions & { method: Method | StructuredMethod } {
  let merged: TensorOptions & { method: Method | StructuredMethod } = {
    method: o.method, density: o.density, k: o.k, threshold: o.threshold, rescale: o.rescale,
    sampleFraction: o.sampleFraction, tolerance: o.tolerance, maxIterations: o.maxIterations,
    values: o.values, index: o.index, shape: o.shape, block: o.block, score: o.score, heads: o.heads,
    headLayout: o.headLayout, nm: o.nm, maskEvery: o.maskEvery, maskBeta: o.maskBeta,
  };
  for (const [key, t] of Object.entries(o.tensors ?? {})) {
    if (matchesPattern(key, name)) merged = mergeOverride(merged, t);
  }
  return merged;
}

/** The configured density of a tensor whose budget is a density (undefined for k or threshold budgets). */
export function baseDensity(o: CompressorOptions, name: string): number | undefined {
  const t = tensorOptions(o, name);
  if (t.k !== undefined || t.threshold !== undefined) return undefined;
  return t.density ?? (o.schedule ? 1 : undefined);
}

/** k of a tensor from its density or k, validated against its length n (a planned density wins). */
export function budgetK(o: TensorOptions, n: number, what: string, planned?: number): number {
  if (planned !== undefined) return kFromDensity(planned, n, `${what}: planned density`);
  if (o.k !== undefined) {
    validateK(o.k, n, `${what}: k`);
    return o.k;
  }
  return kFromDensity(o.density!, n, `${what}: density`);
}

/** Resolves one tensor's kernel parameters for its length n and this step's plan. */
export function resolveParams(o: CompressorOptions, name: string, n: number, plan?: Plan): ResolvedParams {
  const t = tensorOptions(o, name);
  const what = `tensor '${name}'`;
  if (plan?.dense) return { method: 'topk', k: n, rescale: false };
  const d = plan?.density;
  if (STRUCTURED.includes(t.method)) return resolveStructured(t, n, what, d);
  if (t.method === 'mask') {
    return { method: 'mask', k: budgetK(t, n, what, d), every: t.maskEvery ?? 100, beta: t.maskBeta ?? 0.9 };
  }
  switch (t.method as Method) {
    case 'topk':
    case 'randomk':
    case 'probabilistic':
      return { method: t.method as 'topk' | 'randomk' | 'probabilistic', k: budgetK(t, n, what, d), rescale: t.rescale ?? false };
    case 'percentile':
      return { method: 'percentile', k: budgetK(t, n, what, d) };
    case 'threshold':
      if (t.threshold !== undefined) return { method: 'threshold', threshold: t.threshold };
      return { method: 'percentile', k: budgetK(t, n, what, d) };
    case 'approx-topk': {
      const k = budgetK(t, n, what, d);
      const a = resolveApproxTopkOptions(t);
      const sampleSize = Math.max(1, Math.min(n, Math.round(n * a.sampleFraction)));
      const stride = Math.floor(n / sampleSize) || 1;
      const rank = Math.min(sampleSize, Math.max(1, Math.round((k * sampleSize) / n)));
      return { method: 'approx-topk', k, sampleSize, stride, rank, tolerance: a.tolerance, maxIterations: a.maxIterations };
    }
    case 'global-topk':
      return { method: 'global-topk' };
    case 'hybrid':
      return { method: 'hybrid', k: budgetK(t, n, what, d) };
  }
}

/** The structured spec of a tensor from its options and length (the shape gives the geometry). */
export function structuredSpec(t: Effective, n: number, what: string, importance?: Float32Array): StructuredSpec {
  const shape = t.shape ?? [n];
  if (shape.reduce((a, b) => a * b, 1) !== n) {
    throw new ConfigError(`${what}: shape [${shape.join(', ')}] does not hold ${n} elements`);
  }
  const rows = shape.length >= 2 ? shape[0]! : 1;
  const cols = rows === 0 ? 0 : n / rows;
  const score = (t.score ?? 'l2') as UnitScore;
  const need2d = () => {
    if (t.shape === undefined || t.shape.length < 2) throw new ConfigError(`${what}: method '${t.method}' needs a shape of rank >= 2`);
  };
  switch (t.method as StructuredMethod) {
    case 'block': {
      need2d();
      const b = t.block ?? 4;
      const [bh, bw] = Array.isArray(b) ? b : [b, b];
      return { unit: 'block', rows, cols, blockRows: bh, blockCols: bw, score };
    }
    case 'channel':
      need2d();
      return { unit: 'channel', out: rows, inner: cols, score };
    case 'head': {
      need2d();
      if (t.heads === undefined) throw new ConfigError(`${what}: method 'head' needs heads`);
      // Importance scores are supplied per step by the compressor (setImportance).
      return { unit: 'head', rows, cols, heads: t.heads, layout: t.headLayout ?? 'rows', score: t.score ?? 'l2', importance };
    }
    case 'row':
    case 'column':
      need2d();
      return { unit: t.method as 'row' | 'column', rows, cols, score };
    case 'nm': {
      const [N, M] = t.nm ?? [2, 4];
      return { unit: 'nm', cols: shape[shape.length - 1]!, N, M };
    }
    case 'mask':
      throw new ConfigError(`${what}: 'mask' is not a structured unit`);
  }
}

function resolveStructured(t: Effective, n: number, what: string, planned?: number): ResolvedParams {
  const spec = structuredSpec(t, n, what);
  const k = spec.unit === 'nm' ? 0 : structuredK(spec, planned !== undefined ? { density: planned } : t.k !== undefined ? { k: t.k } : { density: t.density! });
  const check = spec.unit === 'head' && spec.score === 'importance' ? { ...spec, importance: new Float32Array(spec.heads) } : spec;
  validateStructured(check, n, spec.unit === 'nm' ? undefined : k);
  return { method: 'structured', name: t.method as StructuredMethod, spec, k };
}

/** K of a joint group (global-topk: the tensors' budget over all elements; hybrid: globalDensity/globalK). */
export function groupK(
  o: CompressorOptions, method: 'global-topk' | 'hybrid', first: string, total: number, planned?: number,
): number {
  if (method === 'hybrid') {
    if (o.globalK !== undefined) {
      validateK(o.globalK, total, 'globalK');
      return o.globalK;
    }
    if (o.globalDensity !== undefined) return kFromDensity(o.globalDensity, total, 'globalDensity');
    return 0;
  }
  return budgetK(tensorOptions(o, first), total, 'global-topk', planned);
}
