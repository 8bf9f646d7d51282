/**
 * Typed wrappers of the structured-selection kernels of the Wasm core (assembly/structured_abi.ts;
 * semantics in docs/selection.md, "Structured methods"). Each takes the tensor's input buffer `s`
 * and residual `r` (0: error feedback off) already in Wasm memory, like the compressor's slots:
 * acc = s + r is written over s, and on success s holds the new residual (the caller swaps s and r).
 */
import { ConfigError, NonFiniteError, ShapeError } from '../../errors.ts';
import {
  type StructuredSelection, type StructuredSpec, type UnitScore, validateStructured,
} from '../../reference/structured/spec.ts';
import type { WasmCore } from './core.ts';

/** The structured exports of the core (see assembly/structured_abi.ts for their contracts). */
export interface StructuredExports {
  sg_structured_count(): number;
  sg_block(s: number, r: number, rows: number, cols: number, bh: number, bw: number, score: number, k: number): number;
  sg_channel(s: number, r: number, out: number, inner: number, score: number, k: number): number;
  sg_head(
    s: number, r: number, rows: number, cols: number, heads: number, layout: number, score: number,
    importancePtr: number, k: number,
  ): number;
  sg_rows(s: number, r: number, rows: number, cols: number, axis: number, score: number, k: number): number;
  sg_nm(s: number, r: number, n: number, cols: number, N: number, M: number): number;
  sg_unit_count(): number;
  sg_unit_indices(): number;
  sg_unit_scores(): number;
}

/** ABI score codes. */
export const SCORE_CODES: Readonly<Record<UnitScore | 'importance', number>> = { l1: 0, l2: 1, max: 2, importance: 3 };

/** The structured exports of a loaded core. */
export function structuredExports(core: WasmCore): StructuredExports {
  return core.exports as unknown as StructuredExports;
}

/**
 * Runs one structured kernel on `s`/`r` (n elements) and returns its raw status: the number of kept
 * elements, -1 for a non-finite acc (index: `core.exports.sg_error_index()`), -2 for parameters
 * the core refused. `spec` and `k` must already be valid (validateStructured). Importance scores
 * are copied into Wasm memory for the call.
 */
export function runStructuredKernel(core: WasmCore, s: number, r: number, n: number, spec: StructuredSpec, k: number): number {
  const x = structuredExports(core);
  switch (spec.unit) {
    case 'block':
      return x.sg_block(s, r, spec.rows, spec.cols, spec.blockRows, spec.blockCols, SCORE_CODES[spec.score], k);
    case 'channel':
      return x.sg_channel(s, r, spec.out, spec.inner, SCORE_CODES[spec.score], k);
    case 'row':
    case 'column':
      return x.sg_rows(s, r, spec.rows, spec.cols, spec.unit === 'row' ? 0 : 1, SCORE_CODES[spec.score], k);
    case 'nm':
      return x.sg_nm(s, r, n, spec.cols, spec.N, spec.M);
    case 'head': {
      const layout = spec.layout === 'rows' ? 0 : 1;
      const code = SCORE_CODES[spec.score];
      if (spec.score !== 'importance') return x.sg_head(s, r, spec.rows, spec.cols, spec.heads, layout, code, 0, k);
      const imp = spec.importance!;
      const p = core.alloc(Math.max(4, imp.length * 4));
      try {
        core.f32(p, imp.length).set(imp);
        return x.sg_head(s, r, spec.rows, spec.cols, spec.heads, layout, code, p, k);
      } finally {
        core.free(p);
      }
    }
  }
}

/** The kept unit numbers of the last structured kernel (a copy). */
export function takeUnits(core: WasmCore): Uint32Array {
  const x = structuredExports(core);
  const count = x.sg_unit_count();
  return count === 0 ? new Uint32Array(0) : core.u32(x.sg_unit_indices(), count).slice();
}

/**
 * The unit scores of the last rectangle kernel (block, channel, head, row, column) with an
 * acc-based score: `units` f32 values by unit number (a copy). See sg_unit_scores.
 */
export function takeUnitScores(core: WasmCore, units: number): Float32Array {
  return core.f32(structuredExports(core).sg_unit_scores(), units).slice();
}

/**
 * Validates, runs one structured kernel on `s`/`r` (n elements) and returns the kept elements
 * (ascending indices, sent values) and kept units (ascending). On success `s` holds the new
 * residual when `r != 0`.
 *
 * @throws ConfigError / ShapeError for an invalid spec or k.
 * @throws NonFiniteError (tensor `name`) when acc = s + r holds a NaN or ±Infinity.
 */
export function selectStructuredWasm(
  core: WasmCore, s: number, r: number, n: number, spec: StructuredSpec, k: number, name = 'tensor',
): StructuredSelection {
  validateStructured(spec, n, spec.unit === 'nm' ? undefined : k);
  const rc = runStructuredKernel(core, s, r, n, spec, k);
  if (rc === -1) {
    throw new NonFiniteError(name, core.exports.sg_error_index(), 'accumulated value (gradient + residual) is NaN or Infinity');
  }
  if (rc < 0) throw new ConfigError(`tensor '${name}': the core refused the ${spec.unit} parameters`);
  return { ...core.takeResults(0, rc), units: takeUnits(core) };
}

/**
 * Convenience for one-off calls and tests (allocates per call): copies `gradient` and `residual`
 * (zeros when missing; none when `errorFeedback` is false) into Wasm memory, runs the kernel, and
 * returns the selection with the new residual. Nothing passed in is modified.
 */
export function structuredStepWasm(
  core: WasmCore,
  input: {
    gradient: Float32Array; residual?: Float32Array; spec: StructuredSpec; k: number; name?: string; errorFeedback?: boolean;
  },
): { selection: StructuredSelection; residual: Float32Array | undefined } {
  const n = input.gradient.length;
  const ef = input.errorFeedback ?? true;
  if (ef && input.residual && input.residual.length !== n) {
    throw new ShapeError(`tensor '${input.name ?? 'tensor'}': residual has length ${input.residual.length}, gradient has ${n}`);
  }
  const s = core.alloc(Math.max(4, n * 4));
  let r = 0;
  try {
    if (ef) r = core.alloc(Math.max(4, n * 4));
    core.f32(s, n).set(input.gradient);
    if (ef) {
      if (input.residual) core.f32(r, n).set(input.residual);
      else core.f32(r, n).fill(0);
    }
    const selection = selectStructuredWasm(core, s, r, n, input.spec, input.k, input.name);
    return { selection, residual: ef ? core.f32(s, n).slice() : undefined };
  } finally {
    core.free(s);
    core.free(r);
  }
}
