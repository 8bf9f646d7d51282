/**
 * Type-level tests (checked by `tsc --noEmit`; the runtime part only keeps node:test happy): the
 * worker compressor has the in-thread compressor's API with every state-touching method async, and
 * the worker host implements the protocol of workers/protocol.ts.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Remote } from 'comlink';
import type { Compressor } from '../../ts-api/index.ts';
import type { WorkerCompressor } from '../../workers/index.ts';
import type { HostApi } from '../../workers/protocol.ts';
import type { createHost } from '../../workers/host.ts';

/** `true` when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** The async version of a method type. */
type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

type StateMethods = 'step' | 'getResidual' | 'setResidual' | 'resetResidual' | 'saveState' | 'restoreState' | 'memoryBytes';
type SyncMembers = 'stage' | 'tensorNames' | 'stepCount' | 'options' | 'encode';

// Every state method of the in-thread compressor exists on the worker compressor, async, with the same parameters.
type AsyncChecks = { [K in StateMethods]: Equal<Parameters<WorkerCompressor[K]>[0], Parameters<Compressor[K]>[0]> };
const asyncParams: AsyncChecks = {
  step: true, getResidual: true, setResidual: true, resetResidual: true, saveState: true, restoreState: true, memoryBytes: true,
};
type Returns = { [K in StateMethods]: Equal<ReturnType<WorkerCompressor[K]>, ReturnType<Async<Compressor[K]>>> };
const asyncReturns: Returns = {
  step: true, getResidual: true, setResidual: true, resetResidual: true, saveState: true, restoreState: true, memoryBytes: true,
};
// The synchronous members keep their types.
type SyncChecks = { [K in SyncMembers]: Equal<WorkerCompressor[K], Compressor[K]> };
const sync: SyncChecks = { stage: true, tensorNames: true, stepCount: true, options: true, encode: true };
// dispose() exists on both (async on the pool: it terminates the workers).
const dispose: Equal<ReturnType<WorkerCompressor['dispose']>, Promise<void>> = true;
// The host implements the protocol, and through Comlink every call is a promise.
const host: Equal<ReturnType<typeof createHost>, HostApi> = true;
const remote: Equal<ReturnType<Remote<HostApi>['memoryBytes']>, Promise<number>> = true;

it('worker compressor API mirrors the in-thread one (checked by tsc)', () => {
  assert.ok([asyncParams, asyncReturns, sync].every((o) => Object.values(o).every(Boolean)) && dispose && host && remote);
});
