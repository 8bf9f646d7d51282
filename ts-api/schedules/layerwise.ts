/**
 * Layer-wise densities: defaults by tensor role (embeddings very sparse; normalisation layers,
 * biases and small tensors dense — the practice of DGC, Lin et al., ICLR 2018, and of layer-wise
 * sparsification such as Shi et al., 2019), and a sensitivity helper that measures each layer's
 * loss sensitivity through the caller's validation callback and proposes the sparsest density that
 * stays within a tolerance.
 */
import { ConfigError } from '../errors.ts';

/** Roles a tensor can play. */
export type TensorRole = 'embedding' | 'norm' | 'bias' | 'small' | 'default';

/** Role rules: densities for the special roles (absolute), and the size below which a tensor is small. */
export interface RoleOptions {
  /** Density of embeddings as a multiple of the base density (default 0.1). */
  embeddingFactor?: number;
  /** Density of normalisation layers (default 1: dense). */
  norm?: number;
  /** Density of biases (default 1). */
  bias?: number;
  /** Density of tensors with fewer elements than smallThreshold (default 1). */
  small?: number;
  /** Elements below which a tensor is small (default 1024). */
  smallThreshold?: number;
}

/** The role of a tensor from its name and length. */
export function inferRole(name: string, length: number, smallThreshold = 1024): TensorRole {
  const n = name.toLowerCase();
  if (/(^|[._/])(embed|embedding|embeddings|wte|wpe|tok_embeddings)([._/]|$)/.test(n)) return 'embedding';
  if (/(^|[._/])(norm|layernorm|layer_norm|ln(_?\d+)?|bn(\d+)?|batchnorm|rmsnorm)([._/]|$)/.test(n)) return 'norm';
  if (/(^|[._/])bias$/.test(n)) return 'bias';
  if (length < smallThreshold) return 'small';
  return 'default';
}

/** Validates role options. */
export function validateRoles(r: RoleOptions): void {
  if (r === null || typeof r !== 'object') throw new ConfigError('roles must be an object or true');
  for (const key of ['embeddingFactor', 'norm', 'bias', 'small'] as const) {
    const v = r[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && v <= 1)) throw new ConfigError(`roles.${key} must be in (0, 1], got ${String(v)}`);
  }
  if (r.smallThreshold !== undefined && !(Number.isInteger(r.smallThreshold) && r.smallThreshold >= 0)) {
    throw new ConfigError(`roles.smallThreshold must be a non-negative integer, got ${String(r.smallThreshold)}`);
  }
}

/** The density of a tensor given its role and the base density. */
export function roleDensity(name: string, length: number, base: number, r: RoleOptions): number {
  switch (inferRole(name, length, r.smallThreshold ?? 1024)) {
    case 'embedding':
      return Math.max(Number.MIN_VALUE, base * (r.embeddingFactor ?? 0.1));
    case 'norm':
      return r.norm ?? 1;
    case 'bias':
      return r.bias ?? 1;
    case 'small':
      return r.small ?? 1;
    case 'default':
      return base;
  }
}

/** Input of proposeDensities. */
export interface SensitivityOptions {
  /** Layer (tensor) names to probe. */
  layers: string[];
  /** Candidate densities to try, in any order. */
  candidates: number[];
  /** Validation loss with no sparsification (the reference). */
  baselineLoss: number;
  /** Accepted relative loss increase (e.g. 0.01 = 1%). */
  tolerance: number;
  /** Caller's validation: the loss when only `layer` is sparsified at `density`. */
  evaluate: (layer: string, density: number) => number | Promise<number>;
}

/** Per layer: every probed (density, loss), and the proposed density. */
export interface SensitivityReport {
  layers: Record<string, { probes: Array<{ density: number; loss: number }>; proposed: number }>;
}

/**
 * Measures each layer's sensitivity and proposes, per layer, the sparsest candidate whose loss stays
 * within baselineLoss · (1 + tolerance); a layer for which none does is proposed dense (1).
 */
export async function proposeDensities(o: SensitivityOptions): Promise<SensitivityReport> {
  if (!Array.isArray(o.layers) || !Array.isArray(o.candidates) || o.candidates.length === 0) {
    throw new ConfigError('proposeDensities needs layers and a non-empty candidates array');
  }
  o.candidates.forEach((d) => {
    if (!(d > 0 && d <= 1)) throw new ConfigError(`candidate density must be in (0, 1], got ${d}`);
  });
  if (!Number.isFinite(o.baselineLoss) || !(o.tolerance >= 0)) throw new ConfigError('baselineLoss must be finite and tolerance >= 0');
  const order = [...new Set(o.candidates)].sort((a, b) => a - b);
  const limit = o.baselineLoss + Math.abs(o.baselineLoss) * o.tolerance;
  const report: SensitivityReport = { layers: {} };
  for (const layer of o.layers) {
    const probes: Array<{ density: number; loss: number }> = [];
    let proposed = 1;
    for (const density of order) {
      const loss = await o.evaluate(layer, density);
      probes.push({ density, loss });
      if (Number.isFinite(loss) && loss <= limit) {
        proposed = density;
        break;
      }
    }
    report.layers[layer] = { probes, proposed };
  }
  return report;
}
