/**
 * One structured selection with error feedback, in the reference: accumulate, check, select, and
 * the new residual — without touching the inputs.
 *
 * Normative source: docs/selection.md, "Error feedback (all methods)" and "Structured methods".
 */

import { NonFiniteError, ShapeError } from '../../errors.ts';
import { selectBlocks } from './block.ts';
import { selectChannels } from './channel.ts';
import { selectHeads } from './head.ts';
import { selectNm } from './nm.ts';
import { selectRowsOrColumns } from './rows.ts';
import { type StructuredSelection, type StructuredSpec, validateStructured } from './spec.ts';

/**
 * Runs the structured selection `spec` on the accumulated tensor `acc` (finite), keeping `k` units
 * (ignored for N:M).
 */
export function selectStructured(acc: Float32Array, spec: StructuredSpec, k: number): StructuredSelection {
  switch (spec.unit) {
    case 'block':
      return selectBlocks(acc, spec, k);
    case 'channel':
      return selectChannels(acc, spec, k);
    case 'head':
      return selectHeads(acc, spec, k);
    case 'row':
    case 'column':
      return selectRowsOrColumns(acc, spec, k);
    case 'nm':
      return selectNm(acc, spec);
  }
}

/** The input of {@link structuredStep}. Nothing in it is modified. */
export interface StructuredStepInput {
  /** Tensor name (for error messages). */
  readonly name?: string;
  readonly gradient: Float32Array;
  /** The residual (zeros when missing); ignored when error feedback is off. */
  readonly residual?: Float32Array;
  readonly spec: StructuredSpec;
  /** Units to keep (see structuredK); ignored for N:M. */
  readonly k: number;
  /** Error feedback on (default) or off (`acc = g`, no residual). */
  readonly errorFeedback?: boolean;
}

/** The output of {@link structuredStep}. */
export interface StructuredStepResult {
  readonly selection: StructuredSelection;
  /** The new residual (a fresh array); undefined when error feedback is off. */
  readonly residual: Float32Array | undefined;
}

/**
 * One reference step: `acc[i] = f32(g[i] + r[i])` (or `g`), a NonFiniteError at the first NaN/±Inf
 * of acc, the structured selection, and the new residual `f32(acc[i] - sent[i])` at kept positions,
 * `acc[i]` elsewhere. Parameters are validated before anything is computed.
 *
 * @throws ConfigError / ShapeError for an invalid spec, k or residual length.
 * @throws NonFiniteError if an accumulated value is NaN or ±Infinity.
 */
export function structuredStep(input: StructuredStepInput): StructuredStepResult {
  const { gradient: g, spec, k } = input;
  const name = input.name ?? 'tensor';
  const ef = input.errorFeedback ?? true;
  const r = ef ? input.residual ?? new Float32Array(g.length) : undefined;
  if (r !== undefined && r.length !== g.length) {
    throw new ShapeError(`tensor '${name}': residual has length ${r.length}, gradient has ${g.length}`);
  }
  validateStructured(spec, g.length, spec.unit === 'nm' ? undefined : k);
  const acc = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const a = r === undefined ? g[i] : Math.fround(g[i] + r[i]);
    if (!Number.isFinite(a)) {
      const detail = Number.isNaN(g[i]) ? 'gradient contains NaN'
        : !Number.isFinite(g[i]) ? 'gradient contains Infinity'
        : 'gradient + residual overflows float32';
      throw new NonFiniteError(name, i, detail);
    }
    acc[i] = a;
  }
  const selection = selectStructured(acc, spec, k);
  if (r === undefined) return { selection, residual: undefined };
  const next = Float32Array.from(acc);
  selection.indices.forEach((i, j) => (next[i] = Math.fround(acc[i] - selection.values[j])));
  return { selection, residual: next };
}
