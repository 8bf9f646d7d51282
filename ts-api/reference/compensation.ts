/**
 * Reference of DGC's compensation (Lin et al., "Deep Gradient Compression", ICLR 2018) around the
 * error-feedback step: local gradient clipping by the step's total norm (threshold scaled by
 * N^-1/2 for N workers), momentum correction u = m·u + g with selection on v + u, momentum-factor
 * masking (u = 0 where sent), and residual decay. Same f32 rounding as the Wasm kernels; the
 * factors m and decay are rounded to f32 first.
 */
import type { Selection } from '../types.ts';
import { blockedSum } from './reduce.ts';
import { referenceStep, type ReferenceStepInput } from './error_feedback.ts';

const f = Math.fround;

/** Compensation parameters. */
export interface CompensationParams {
  /** Momentum factor m (momentum correction when set). */
  momentum?: number;
  /** Momentum-factor masking (default true). */
  masking?: boolean;
  /** Clipping threshold of the step's total gradient norm. */
  clipNorm?: number;
  /** Workers N: the threshold is clipNorm / sqrt(N). */
  workers?: number;
  /** Residual decay factor. */
  residualDecay?: number;
}

/** Sum of squares in the documented order (squares rounded to f32, blocked lane sum). */
export function sumSquares(g: Float32Array): number {
  const sq = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) sq[i] = f(g[i]! * g[i]!);
  return blockedSum(sq);
}

/** The clipping scale of a step: f32(thr / norm) when norm > thr, else 1. */
export function clipScale(grads: readonly Float32Array[], clipNorm: number, workers = 1): number {
  let total = 0;
  for (const g of grads) total = f(total + sumSquares(g));
  const norm = f(Math.sqrt(total));
  const thr = f(clipNorm / Math.sqrt(workers));
  return norm > thr ? f(thr / norm) : 1;
}

/** One compensated step: the plain reference step on the corrected momenta, then masking and decay. */
export function referenceCompensatedStep(
  input: ReferenceStepInput,
  momenta: ReadonlyMap<string, Float32Array>,
  c: CompensationParams,
): { selections: Selection[]; residuals: Map<string, Float32Array>; momenta: Map<string, Float32Array> } {
  const scale = c.clipNorm !== undefined ? clipScale(input.gradients.map((g) => g.values), c.clipNorm, c.workers) : 1;
  const newMomenta = new Map<string, Float32Array>();
  const gradients = input.gradients.map(({ name, values }) => {
    if (c.momentum === undefined) return { name, values: values.map((x) => f(x * scale)) };
    const u = momenta.get(name) ?? new Float32Array(values.length);
    const m = f(c.momentum);
    const nu = values.map((x, i) => f(f(m * u[i]!) + f(x * scale)));
    newMomenta.set(name, nu);
    return { name, values: nu };
  });
  const out = referenceStep({ ...input, gradients });
  out.selections.forEach((sel, j) => {
    const name = input.gradients[j]!.name;
    if (c.momentum !== undefined && (c.masking ?? true)) for (const i of sel.indices) newMomenta.get(name)![i] = 0;
    if (c.residualDecay !== undefined) {
      const r = out.residuals.get(name)!;
      const d = f(c.residualDecay);
      for (let i = 0; i < r.length; i++) r[i] = f(r[i]! * d);
    }
  });
  return { selections: out.selections, residuals: out.residuals, momenta: newMomenta };
}
