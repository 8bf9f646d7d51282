/**
 * The phases of a pool step, after planning (workers/step.ts):
 *
 * 1. prepare — every worker runs its jobs in parallel and commits nothing; a step with nothing
 *    to merge commits here at once on every worker, and a worker that succeeded rolls back when
 *    another failed;
 * 2. bucket — for held merges (top-k, percentile, global-top-k across pieces) the coordinator adds
 *    the workers' 16-bit key histograms, finds the bucket holding the K-th key, and asks each
 *    worker for its candidate keys in that bucket (small), which fix the exact cut key and the ties
 *    each piece keeps (workers/merge.ts);
 * 3. finish — every worker applies its cuts (restoring rejected candidates into its residual) and
 *    the fix-ups of shipped merges, publishes its new residuals to the snapshots, and commits.
 *
 * Any failure before every worker committed undoes the step everywhere (ctx.fail).
 */
import * as Comlink from 'comlink';
import { CapacityError, ConfigError, NonFiniteError, ShapeError, SparsegradError } from '../ts-api/errors.ts';
import type { SparseTensor } from '../ts-api/types.ts';
import { resolveHeld, type HeldMerge } from './held.ts';
export type { HeldMerge } from './held.ts';
import type {
  Published, FinishReply, Fixup, HostError, Job, JobResult, PrepareReply, PublishSlots, SelectionOut,
} from './protocol.ts';
import type { PostLists } from './post.ts';
import type { PieceEntry } from './registry.ts';
import type { StepContext } from './step.ts';

/** One worker's share of a step. */
export interface WorkerPlan {
  jobs: Job[];
  /** One per result of phase one, in order. */
  sinks: Array<(r: JobResult) => void>;
  transfer: Set<ArrayBuffer>;
  pieces: PieceEntry[];
}

/** Everything planned for one step. */
export interface StepPlan {
  plans: Map<number, WorkerPlan>;
  /** Merges of shipped candidates (hybrid), run on the coordinator; they fill `fixups` and `out`. */
  merges: Array<() => void>;
  held: HeldMerge[];
  fixups: Map<number, Fixup[]>;
  out: SparseTensor[];
  /** DGC clipping factor of the step (1: none). */
  scale: number;
  /**
   * The coordinator's post stages (budget, value-code errors, momentum masking) on the merged
   * selections, before anything commits; present, every worker commits in phase two.
   */
  post?: (out: SparseTensor[]) => PostLists;
}

function typedError(e: HostError, name: string | undefined, offset: number): Error {
  switch (e.code) {
    case 'E_NONFINITE': return new NonFiniteError(name ?? '?', offset + (e.index ?? 0), e.detail ?? e.message);
    case 'E_SHAPE': return new ShapeError(e.message);
    case 'E_CONFIG': return new ConfigError(e.message);
    case 'E_CAPACITY': return new CapacityError(e.message);
    default: return new SparsegradError(e.code, e.message);
  }
}

const abortReq = (token: number) => ({ token, commit: false, fixups: [], cuts: {}, slots: {} });

/** Runs the phases of a planned step; returns the selections in input order. */
export async function runPhases(ctx: StepContext, step: number, sp: StepPlan): Promise<SparseTensor[]> {
  const { pool, registry, token } = ctx;
  const { plans } = sp;
  const workers = [...plans.keys()].sort((a, b) => a - b);
  const slotsOf = (w: number): PublishSlots => Object.fromEntries(plans.get(w)!.pieces.map((p) => [p.desc.key, registry.nextSlot(p)]));
  // Nothing to merge: each worker commits at once (optimistic); if another fails, it rolls back
  // (its old residual is intact until its next step).
  const auto = sp.merges.length === 0 && sp.held.length === 0 && !sp.post;
  const forget = (): void => {
    for (const w of workers) for (const p of plans.get(w)!.pieces) pool.slots[w]!.known.delete(p.desc.key);
    registry.clearInputs();
  };
  const t0 = performance.now();
  const settled = await Promise.allSettled(workers.map((w) => {
    const wp = plans.get(w)!;
    const req = { token, step, jobs: wp.jobs, scale: sp.scale, ...(auto ? { autoCommit: { slots: slotsOf(w) } } : {}) };
    return pool.slots[w]!.call('prepare', (r): Promise<PrepareReply> => r.prepare(Comlink.transfer(req, [...wp.transfer])));
  }));
  const fatal = new Map<number, string>();
  let first: HostError | null = null;
  settled.forEach((s, i) => {
    const w = workers[i]!;
    if (s.status === 'rejected') fatal.set(w, (s.reason as Error).message);
    else if (!s.value.ok && s.value.error.fatal) fatal.set(w, `failed: ${s.value.error.message}`);
    else if (!s.value.ok && (first === null || s.value.error.pos! < first.pos!)) first = s.value.error;
  });
  const ok = workers.filter((_, i) => settled[i]!.status === 'fulfilled' && (settled[i] as PromiseFulfilledResult<PrepareReply>).value.ok);
  if (fatal.size > 0) {
    forget();
    throw await ctx.fail(step, 'phase one (prepare)', workers, fatal, auto ? ok : []);
  }
  if (first !== null) {
    forget();
    const e: HostError = first;
    const aborts = await Promise.allSettled(ok.map((w) => pool.slots[w]!.call('abort', (r) =>
      (auto ? r.rollback(token) : r.finish(abortReq(token)).then(() => undefined)))));
    const dead = new Map<number, string>();
    aborts.forEach((a, i) => a.status === 'rejected' && dead.set(ok[i]!, (a.reason as Error).message));
    if (dead.size > 0) await ctx.fail(step, 'abort', [], dead, []);
    const flat: Array<{ pos: number; piece: { name: string; offset: number } }> = [];
    for (const wp of plans.values()) for (const job of wp.jobs) flat.push(...(job.kind === 'group' ? job.members : [job]));
    const j = flat.find((job) => job.pos === e.pos);
    throw typedError(e, j?.piece.name, j?.piece.offset ?? 0);
  }
  workers.forEach((w, i) => {
    const reply = (settled[i] as PromiseFulfilledResult<PrepareReply & { ok: true }>).value;
    const wp = plans.get(w)!;
    reply.results.forEach((r, q) => wp.sinks[q]!(r));
  });
  const t1 = performance.now();
  for (const m of sp.merges) m();
  // Held merges: the bucket of the K-th key, its keys from the workers, the exact cuts (workers/held.ts).
  const { cuts, expect, extended } = await resolveHeld({
    pool, token,
    lost: async (phase, lost) => {
      forget();
      return ctx.fail(step, phase, workers, lost, []);
    },
  }, sp.held);
  let lists: PostLists | undefined;
  try {
    lists = sp.post?.(sp.out);
  } catch (e) {
    forget();
    const aborts = await Promise.allSettled(workers.map((w) => pool.slots[w]!.call('abort', (r) => r.finish(abortReq(token)).then(() => undefined))));
    const dead = new Map<number, string>();
    aborts.forEach((a, i) => a.status === 'rejected' && dead.set(workers[i]!, (a.reason as Error).message));
    if (dead.size > 0) await ctx.fail(step, 'abort', [], dead, []);
    throw e;
  }
  const t2 = performance.now();
  // What each worker's commit published (snapshots, masks, next input addresses), adopted below.
  const published = new Map<number, Published>();
  const kept: Record<string, SelectionOut> = {};
  if (auto) {
    settled.forEach((s, i) => published.set(workers[i]!, (s as PromiseFulfilledResult<PrepareReply & { ok: true }>).value));
  } else {
    const done = await Promise.allSettled(workers.map((w) => {
      const fx = sp.fixups.get(w) ?? [];
      const adds = lists?.adds.get(w) ?? [];
      const sent = lists?.sent.get(w) ?? [];
      const req = { token, commit: true, fixups: fx, cuts: cuts.get(w) ?? {}, slots: slotsOf(w), adds, sent };
      const transfer = [...fx, ...adds].flatMap((f) => [f.indices.buffer as ArrayBuffer, f.values.buffer as ArrayBuffer]);
      for (const f of sent) transfer.push(f.indices.buffer as ArrayBuffer);
      return pool.slots[w]!.call('commit', (r): Promise<FinishReply> => r.finish(Comlink.transfer(req, transfer)));
    }));
    const failed = new Map<number, string>();
    const committed: number[] = [];
    done.forEach((d, i) => {
      const w = workers[i]!;
      if (d.status === 'rejected') failed.set(w, (d.reason as Error).message);
      else if (!d.value.ok) failed.set(w, `failed: ${d.value.error.message}`);
      else {
        committed.push(w);
        published.set(w, d.value);
        Object.assign(kept, d.value.kept ?? {});
      }
    });
    const bad = failed.size === 0 ? [...expect].find(([key, n]) => kept[key]?.indices.length !== n) : undefined;
    if (bad) {
      forget();
      await Promise.allSettled(committed.map((w) => pool.slots[w]!.call('rollback', (r) => r.rollback(token))));
      throw new SparsegradError('E_INTERNAL', `internal: piece '${bad[0]}' kept ${kept[bad[0]]?.indices.length} candidates, expected ${bad[1]}`);
    }
    if (failed.size > 0) {
      forget();
      throw await ctx.fail(step, 'phase two (commit)', workers, failed, committed);
    }
  }
  for (const h of sp.held) h.done(h.pieces.map(({ piece }) => kept[piece.desc.key]!));
  for (const w of workers) {
    for (const p of plans.get(w)!.pieces) {
      pool.slots[w]!.known.add(p.desc.key);
      registry.adopt(p, published.get(w)!);
    }
  }
  if (ctx.timing) Object.assign(ctx.timing, { prepareMs: t1 - t0, mergeMs: t2 - t1, commitMs: performance.now() - t2, extended });
  return sp.out;
}
