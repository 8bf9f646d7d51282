/**
 * The density planner: for each step and tensor, combines dense warm-up, a density schedule, role
 * defaults and an adaptive rule into the density the selection uses. It is pure until `commit`, so
 * a failed step leaves its running statistics untouched; its state travels in saved state.
 * Applies to tensors whose budget is a density (an explicit k or an absolute threshold is kept).
 */
import { ConfigError } from '../errors.ts';
import { type DensitySchedule, densityAt, validateSchedule } from './density_schedule.ts';
import { type AdaptiveOptions, type AdaptiveState, adaptDensity, validateAdaptive } from './adaptive.ts';
import { type RoleOptions, roleDensity, validateRoles } from './layerwise.ts';

/** Dynamic-sparsity options of a compressor. */
export interface DynamicOptions {
  /** Steps sent dense at the start of training (DGC's warm-up; with error feedback the residual flushes). */
  warmupSteps?: number;
  /** Density by step (replaces the configured density). */
  schedule?: DensitySchedule;
  /** Role defaults: true for the defaults, or custom role densities. */
  roles?: boolean | RoleOptions;
  /** Adaptive rule applied on top (gradient norm or update frequency). */
  adaptive?: AdaptiveOptions;
  /** Every N-th step (steps N-1, 2N-1, …) is sent dense, flushing the residual. */
  denseSyncEvery?: number;
}

/** What the planner decides for one tensor at one step. */
export type Plan = { dense: true } | { dense: false; density: number };

/** Validates dynamic options. */
export function validateDynamic(o: DynamicOptions): void {
  if (o.warmupSteps !== undefined && !(Number.isInteger(o.warmupSteps) && o.warmupSteps >= 0)) {
    throw new ConfigError(`warmupSteps must be a non-negative integer, got ${String(o.warmupSteps)}`);
  }
  if (o.denseSyncEvery !== undefined && !(Number.isInteger(o.denseSyncEvery) && o.denseSyncEvery >= 1)) {
    throw new ConfigError(`denseSyncEvery must be a positive integer, got ${String(o.denseSyncEvery)}`);
  }
  if (o.schedule !== undefined) validateSchedule(o.schedule);
  if (o.roles !== undefined && o.roles !== true && o.roles !== false) validateRoles(o.roles);
  if (o.adaptive !== undefined) validateAdaptive(o.adaptive);
}

/** Plans densities per step; see the module comment. */
export class DensityPlanner {
  private stats: AdaptiveState = {};
  private pending: AdaptiveState = {};
  constructor(private readonly o: DynamicOptions) {}

  /** True when any dynamic rule is configured. */
  get active(): boolean {
    return (this.o.warmupSteps ?? 0) > 0 || !!this.o.schedule || !!this.o.roles || !!this.o.adaptive || !!this.o.denseSyncEvery;
  }

  /** True when the step is sent dense: inside the warm-up, or a periodic dense sync. */
  isWarmup(step: number): boolean {
    const every = this.o.denseSyncEvery;
    return step < (this.o.warmupSteps ?? 0) || (every !== undefined && (step + 1) % every === 0);
  }

  /**
   * The density of one tensor at `step`, given its configured density `base` (undefined when the
   * tensor's budget is not a density: then only warm-up applies). Records adaptive statistics as
   * pending until commit().
   */
  plan(name: string, g: Float32Array, step: number, base: number | undefined): Plan | undefined {
    if (this.isWarmup(step)) return { dense: true };
    if (base === undefined) return undefined;
    let d = this.o.schedule ? densityAt(this.o.schedule, step) : base;
    if (this.o.roles) d = roleDensity(name, g.length, d, this.o.roles === true ? {} : this.o.roles);
    if (this.o.adaptive) {
      const a = adaptDensity(this.o.adaptive, d, g, this.stats[name]);
      this.pending[name] = a.next;
      d = a.density;
    }
    return { dense: false, density: Math.min(1, Math.max(Number.MIN_VALUE, d)) };
  }

  /** Adopts the pending statistics (after a successful step). */
  commit(): void {
    Object.assign(this.stats, this.pending);
    this.pending = {};
  }

  /** Drops the pending statistics (after a failed step). */
  discard(): void {
    this.pending = {};
  }

  /** The running statistics, for saved state. */
  getState(): AdaptiveState {
    return { ...this.stats };
  }

  /** Restores running statistics. */
  setState(s: AdaptiveState): void {
    for (const [k, v] of Object.entries(s)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`bad planner state for '${k}'`);
    }
    this.stats = { ...s };
    this.pending = {};
  }
}
