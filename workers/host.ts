/**
 * The Comlink host of one worker: exposes an {@link Engine} (the worker's pieces and its two-phase
 * step) as the {@link HostApi} of workers/protocol.ts. Every reply that carries arrays hands their
 * buffers over with `Comlink.transfer` (each array owns a fresh buffer of exactly its size), so
 * nothing large is structured-cloned. Anything unexpected thrown inside a call comes back as a fatal
 * {@link HostError} (the pool then replaces the worker) rather than as a bare rejected promise.
 */
import * as Comlink from 'comlink';
import { Engine, toHostError, type EngineHooks } from './engine.ts';
import type { FinishReply, HostApi, PrepareReply } from './protocol.ts';
import { transferable } from './shared_core.ts';

function buffersOf(reply: PrepareReply | FinishReply): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (!reply.ok) return out;
  if ('results' in reply) {
    for (const r of reply.results) {
      if ('hist' in r) out.push(r.hist.buffer as ArrayBuffer);
      else out.push(r.indices.buffer as ArrayBuffer, r.values.buffer as ArrayBuffer);
    }
  }
  if ('kept' in reply) for (const k of Object.values(reply.kept ?? {})) out.push(k.indices.buffer as ArrayBuffer, k.values.buffer as ArrayBuffer);
  // Views of a worker's shared memory are posted (shared), copies transferred.
  for (const list of Object.values(reply.copies ?? {})) for (const c of list) if (transferable(c.buffer)) out.push(c.buffer);
  for (const m of Object.values(reply.metas ?? {})) if (m) out.push(m.mask.buffer as ArrayBuffer);
  return out;
}

/** Creates the API object a worker exposes. `hooks.exit` ends the worker (fault injection). */
export function createHost(hooks: EngineHooks): HostApi {
  let engine: Engine | null = null;
  const need = (): Engine => {
    if (!engine) throw new Error('worker not initialised (call init first)');
    return engine;
  };
  const guarded = <R extends PrepareReply | FinishReply>(f: () => R): R => {
    let reply: R;
    try {
      reply = f();
    } catch (e) {
      return { ok: false, error: { ...toHostError(e), fatal: true } } as R;
    }
    return Comlink.transfer(reply, buffersOf(reply));
  };
  return {
    async init(init) {
      const made = await Engine.create(init, hooks);
      engine = made.engine;
      return made.info;
    },
    prepare: (req) => guarded(() => need().prepare(req)),
    finish: (req) => guarded(() => need().finish(req)),
    rollback: (token) => need().rollback(token),
    extend(token, items) {
      const out = need().extend(token, items);
      return Comlink.transfer(out, out.map((a) => a.buffer as ArrayBuffer));
    },
    bucket(token, items) {
      const out = need().bucket(token, items);
      return Comlink.transfer(out, out.map((a) => a.buffer as ArrayBuffer));
    },
    readState(pieces) {
      const out = need().readState(pieces);
      const buffers = out.flatMap((st) => [st.r, st.u, st.e, st.meta?.mask].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : [])));
      return Comlink.transfer(out, buffers);
    },
    write: (items) => need().write(items),
    restore: (items) => need().restore(items),
    memoryBytes: () => need().memoryBytes(),
    fault: (spec) => need().fault(spec),
    dispose() {
      engine?.dispose();
      engine = null;
    },
  };
}
