/**
 * Which state arrays a piece keeps between steps, in the order they are published to snapshots
 * and copied back to back: the residual (error feedback), the momentum (DGC momentum correction)
 * and the EMA of |g| (learned masks). The coordinator (workers/registry.ts) and the workers
 * (workers/engine.ts) derive the same list from the options, so a snapshot's layout needs no
 * description of its own.
 */
import { tensorOptions, type CompressorOptions } from '../ts-api/config.ts';

/** One state array of a piece: residual, momentum, or mask EMA. */
export type StateArray = 'r' | 'u' | 'e';

/** The state arrays of tensor `name` under the options, in snapshot order. */
export function stateArrays(options: Readonly<CompressorOptions>, name: string): StateArray[] {
  const out: StateArray[] = [];
  if (options.errorFeedback ?? true) out.push('r');
  if (options.momentum !== undefined) out.push('u');
  if (tensorOptions(options, name).method === 'mask') out.push('e');
  return out;
}
