/**
 * Checks of caller arrays shared by the in-thread compressor and the worker pool's
 * (workers/compressor.ts).
 */
import { NonFiniteError, ShapeError } from './errors.ts';

/**
 * Throws unless `values` is a Float32Array of finite values: ShapeError "`what` of 'name' must be
 * a Float32Array", or NonFiniteError(name, first bad index, `nonFinite`).
 */
export function assertFiniteF32(name: string, values: unknown, what: string, nonFinite: string): asserts values is Float32Array {
  if (!(values instanceof Float32Array)) throw new ShapeError(`${what} of '${name}' must be a Float32Array`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new NonFiniteError(name, bad, nonFinite);
}
