/**
 * Adaptive densities that follow the gradients: gradient-norm adaptive (denser when a tensor's
 * gradient norm jumps above its running average, sparser when it is small; in the spirit of
 * AdaComp, Chen et al., AAAI 2018) and frequency-based (the budget follows the fraction of a
 * tensor's parameters that receive updates, so that sparse-gradient tensors such as embeddings are
 * not charged for their zeros). Norms are computed in f64 in index order and powers with detmath,
 * so every runtime derives the same density.
 */
import { ConfigError } from '../errors.ts';
import { detPow } from './detmath.ts';

/** Options of the adaptive density rules. */
export type AdaptiveOptions =
  | { kind: 'grad-norm'; beta?: number; power?: number; min: number; max: number }
  | { kind: 'frequency'; beta?: number; min: number; max: number };

/** Validates adaptive options. */
export function validateAdaptive(a: AdaptiveOptions): void {
  if (a === null || typeof a !== 'object') throw new ConfigError('adaptive must be an object');
  if (a.kind !== 'grad-norm' && a.kind !== 'frequency') {
    throw new ConfigError(`unknown adaptive kind '${String((a as { kind: unknown }).kind)}' (grad-norm, frequency)`);
  }
  const unit = (x: unknown, what: string, lo: number, hi: number, loOpen: boolean) => {
    if (typeof x !== 'number' || !(loOpen ? x > lo : x >= lo) || !(x <= hi)) {
      throw new ConfigError(`adaptive.${what} must be in ${loOpen ? '(' : '['}${lo}, ${hi}], got ${String(x)}`);
    }
  };
  unit(a.min, 'min', 0, 1, true);
  unit(a.max, 'max', 0, 1, true);
  if (a.min > a.max) throw new ConfigError('adaptive.min must not exceed adaptive.max');
  if (a.beta !== undefined) unit(a.beta, 'beta', 0, 1, false);
  if (a.kind === 'grad-norm' && a.power !== undefined) unit(a.power, 'power', 0, 8, false);
}

/** L2 norm in f64, summed in index order. */
export function l2Norm(g: Float32Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
}

/** Fraction of non-zero entries. */
export function nonzeroFraction(g: Float32Array): number {
  if (g.length === 0) return 0;
  let c = 0;
  for (let i = 0; i < g.length; i++) if (g[i] !== 0) c++;
  return c / g.length;
}

/** Per-tensor running statistic of the adaptive rule (part of the compressor's saved state). */
export type AdaptiveState = Record<string, number>;

/**
 * The adapted density of one tensor for this step, and the updated running statistic.
 * grad-norm: d = clamp(base · (‖g‖ / avg)^power, min, max), avg = β·avg + (1 − β)·‖g‖ (the first
 * step uses d = base and avg = ‖g‖). frequency: f = β·f + (1 − β)·nnz(g)/n (first: f = nnz/n),
 * d = clamp(base · f, min, max).
 */
export function adaptDensity(a: AdaptiveOptions, base: number, g: Float32Array, previous: number | undefined): {
  density: number;
  next: number;
} {
  const beta = a.beta ?? 0.9;
  const clamp = (d: number) => Math.min(a.max, Math.max(a.min, d));
  if (a.kind === 'grad-norm') {
    const norm = l2Norm(g);
    if (previous === undefined || previous === 0 || norm === 0) {
      return { density: clamp(base), next: previous === undefined ? norm : beta * previous + (1 - beta) * norm };
    }
    const d = clamp(base * detPow(norm / previous, a.power ?? 1));
    return { density: d, next: beta * previous + (1 - beta) * norm };
  }
  const f = nonzeroFraction(g);
  const next = previous === undefined ? f : beta * previous + (1 - beta) * f;
  return { density: clamp(base * next), next };
}
