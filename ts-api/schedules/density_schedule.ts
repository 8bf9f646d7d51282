/**
 * Density schedules by step: constant, linear, cosine, step (piecewise constant decay), exponential,
 * and DGC's warm-up ramp (Lin et al., "Deep Gradient Compression", ICLR 2018: density
 * 25% → 6.25% → 1.5625% → 0.4% → 0.1%, one stage per epoch), plus dense warm-up steps. All values
 * are computed with detmath, so every runtime derives the same density and hence the same k.
 */
import { ConfigError } from '../errors.ts';
import { detCos, detPow } from './detmath.ts';

/** A density schedule. Densities are in (0, 1]; `steps` and `every` are positive integers. */
export type DensitySchedule =
  | { kind: 'constant'; density: number }
  | { kind: 'linear'; from: number; to: number; steps: number }
  | { kind: 'cosine'; from: number; to: number; steps: number }
  | { kind: 'exponential'; from: number; to: number; steps: number }
  | { kind: 'step'; from: number; factor: number; every: number; min?: number }
  | { kind: 'dgc'; stepsPerEpoch: number; stages?: number[] };

/** DGC's warm-up densities, one per epoch; the last one holds afterwards. */
export const DGC_STAGES: readonly number[] = Object.freeze([0.25, 0.0625, 0.015625, 0.004, 0.001]);

function density(x: unknown, what: string): void {
  if (typeof x !== 'number' || !(x > 0 && x <= 1)) throw new ConfigError(`${what} must be a density in (0, 1], got ${String(x)}`);
}

function positiveInt(x: unknown, what: string): void {
  if (!Number.isInteger(x) || (x as number) < 1) throw new ConfigError(`${what} must be a positive integer, got ${String(x)}`);
}

/** Validates a schedule; ConfigError naming the bad field. */
export function validateSchedule(s: DensitySchedule): void {
  if (s === null || typeof s !== 'object') throw new ConfigError('schedule must be an object');
  switch (s.kind) {
    case 'constant':
      density(s.density, 'schedule.density');
      return;
    case 'linear':
    case 'cosine':
    case 'exponential':
      density(s.from, 'schedule.from');
      density(s.to, 'schedule.to');
      positiveInt(s.steps, 'schedule.steps');
      return;
    case 'step':
      density(s.from, 'schedule.from');
      if (typeof s.factor !== 'number' || !(s.factor > 0 && s.factor <= 1)) {
        throw new ConfigError(`schedule.factor must be in (0, 1], got ${String(s.factor)}`);
      }
      positiveInt(s.every, 'schedule.every');
      if (s.min !== undefined) density(s.min, 'schedule.min');
      return;
    case 'dgc':
      positiveInt(s.stepsPerEpoch, 'schedule.stepsPerEpoch');
      if (s.stages !== undefined) {
        if (!Array.isArray(s.stages) || s.stages.length === 0) throw new ConfigError('schedule.stages must be a non-empty array');
        s.stages.forEach((d, i) => density(d, `schedule.stages[${i}]`));
      }
      return;
    default:
      throw new ConfigError(`unknown schedule kind '${String((s as { kind: unknown }).kind)}' (constant, linear, cosine, exponential, step, dgc)`);
  }
}

/**
 * The density at a step (0-based). linear/cosine/exponential move from `from` at step 0 to `to` at
 * step `steps` and hold `to` afterwards; step multiplies by `factor` every `every` steps (not below
 * `min`); dgc uses stage floor(step / stepsPerEpoch), holding the last.
 */
export function densityAt(s: DensitySchedule, step: number): number {
  const t = (n: number): number => Math.min(step, n) / n;
  switch (s.kind) {
    case 'constant':
      return s.density;
    case 'linear':
      return s.from + (s.to - s.from) * t(s.steps);
    case 'cosine':
      return s.to + ((s.from - s.to) * (1 + detCos(piTimes(t(s.steps))))) / 2;
    case 'exponential':
      return s.from * detPow(s.to / s.from, t(s.steps));
    case 'step': {
      let d = s.from;
      const drops = Math.floor(step / s.every);
      for (let i = 0; i < drops && d > (s.min ?? 0); i++) d *= s.factor;
      return Math.min(1, Math.max(d, s.min ?? Number.MIN_VALUE));
    }
    case 'dgc': {
      const stages = s.stages ?? DGC_STAGES;
      return stages[Math.min(stages.length - 1, Math.floor(step / s.stepsPerEpoch))]!;
    }
  }
}

function piTimes(x: number): number {
  return 3.141592653589793 * x;
}
