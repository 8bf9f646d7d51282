/**
 * One step of a worker pool: plan the jobs of every piece, run phase one on the workers in
 * parallel, merge selections that span pieces exactly (workers/merge.ts), then commit on every
 * worker — or on none. Errors are reported as the in-thread compressor reports them: validation
 * first, then kernel errors in its order (global-topk members, hybrid members, then the other
 * tensors in input order; for a split tensor, the lowest index).
 */
import { ConfigError, ShapeError } from '../ts-api/errors.ts';
import {
  baseDensity, groupK, resolveParams, type CompressorOptions, type ResolvedParams,
} from '../ts-api/config.ts';
import type { DensityPlanner, Plan } from '../ts-api/schedules/planner.ts';
import { clipScale } from '../ts-api/reference/compensation.ts';
import type { CompressedTensor, SparseTensor, StepResult } from '../ts-api/types.ts';
import { withCodes } from '../ts-api/result_codes.ts';
import type { Fixup, SelectionOut } from './protocol.ts';
import { needsPost, postStages } from './post.ts';
import {
  atLeastRule, concatSelections, cutRule, eitherRule, kthLargestKey, shiftIndices, splitPiece, topkCut,
  type CandPiece, type KeepRule,
} from './merge.ts';
import { runPhases, type HeldMerge, type StepPlan, type WorkerPlan } from './phases.ts';
import { pieceBudget } from './held.ts';
import type { PieceEntry, Registry, TensorEntry } from './registry.ts';
import type { Pool } from './pool.ts';

/** A tensor of a step as captured at submission: the array the workers will read. */
export interface Captured {
  name: string;
  array: Float32Array;
  /** The array is a view stage() made of the owning worker's input buffer at this address. */
  inPlace?: number;
}

/** What a step needs from the compressor. */
export interface StepContext {
  pool: Pool;
  registry: Registry;
  options: CompressorOptions;
  /** The density planner (warm-up, schedules, roles, adaptive): planned here, on the coordinator. */
  planner: DensityPlanner;
  token: number;
  /** Caller state of the step, as it was when the step was submitted (setImportance, setMaskScores). */
  importance: ReadonlyMap<string, Float32Array>;
  maskScores: ReadonlyMap<string, Float32Array>;
  /**
   * Filled with the step's phase times (ms): phase one, the merge on the coordinator, phase two;
   * and how many held pieces had to be extended (workers/held.ts).
   */
  timing?: { prepareMs: number; mergeMs: number; commitMs: number; extended: number };
  /**
   * Undoes step `token` on the other `workers` of the step (rollback where it `committed`, abort
   * elsewhere), replaces the `failed` workers from the committed snapshots, and returns the error.
   */
  fail(step: number, phase: string, workers: number[], failed: Map<number, string>, committed: number[]): Promise<Error>;
}

/** Runs one step. The caller has admitted it and owns the arrays in `items`. */
export async function runStep(ctx: StepContext, items: Captured[], step: number): Promise<StepResult> {
  const { registry, options } = ctx;
  const names = new Set<string>();
  for (const { name, array } of items) {
    if (names.has(name)) throw new ShapeError(`tensor '${name}' appears twice in one step`);
    names.add(name);
    const t = registry.get(name);
    if (t && t.length !== array.length) {
      throw new ShapeError(`tensor '${name}' has length ${array.length}, but its residual has length ${t.length}`);
    }
  }
  for (const { name, inPlace } of items) {
    if (inPlace !== undefined && registry.get(name)?.pieces[0]?.input?.ptr !== inPlace) {
      throw new ConfigError(
        `tensor '${name}': its staged input is stale — a step ran (or failed) since stage() returned it, so it now ` +
          'overlaps other state; call stage() again and fill it before every step',
      );
    }
  }
  const { planner } = ctx;
  const plans: Array<Plan | undefined> = planner.active
    ? items.map(({ name, array }) => planner.plan(name, array, step, baseDensity(options, name)))
    : [];
  let params: ResolvedParams[];
  let groups: Array<{ method: 'global-topk' | 'hybrid'; members: number[]; K: number }>;
  try {
    params = items.map(({ name, array }, j) => resolveParams(options, name, array.length, plans[j]));
    groups = (['global-topk', 'hybrid'] as const).flatMap((method) => {
      const members = params.flatMap((p, j) => (p.method === method ? [j] : []));
      if (members.length === 0) return [];
      const total = members.reduce((a, j) => a + items[j]!.array.length, 0);
      const plan = plans[members[0]!];
      const K = groupK(options, method, items[members[0]!]!.name, total, plan && !plan.dense ? plan.density : undefined);
      return [{ method, members, K }];
    });
  } catch (e) {
    planner.discard();
    throw e;
  }
  const order = [...groups.flatMap((g) => g.members), ...params.flatMap((p, j) => (p.method === 'global-topk' || p.method === 'hybrid' ? [] : [j]))];
  const created: string[] = [];
  try {
    const tensors = items.map(({ name, array }) => {
      let t = registry.get(name);
      if (!t) {
        t = registry.register(name, array.length);
        created.push(name);
      }
      return t;
    });
    const attach = (sel: SparseTensor[]): CompressedTensor[] => withCodes(options, params, sel);
    let final: CompressedTensor[] | undefined;
    const post = needsPost(options)
      ? (sel: SparseTensor[]) => {
        const r = postStages(options, step, tensors, attach(sel));
        final = r.tensors;
        return r.lists;
      }
      : undefined;
    const scale = options.clipNorm !== undefined ? clipScale(items.map((i) => i.array), options.clipNorm, options.workers ?? 1) : 1;
    const result = await execute(ctx, items, step, params, groups, order, tensors, scale, post);
    planner.commit();
    return { step, tensors: final ?? attach(result) };
  } catch (e) {
    for (const name of created) registry.unregister(name);
    planner.discard();
    throw e;
  }
}

async function execute(
  ctx: StepContext, items: Captured[], step: number, params: ResolvedParams[],
  groups: Array<{ method: 'global-topk' | 'hybrid'; members: number[]; K: number }>, order: number[], tensors: TensorEntry[],
  scale: number, post: StepPlan['post'],
): Promise<SparseTensor[]> {
  const { registry, pool } = ctx;
  const size = pool.slots.length;
  const plans = new Map<number, WorkerPlan>();
  const bufferOwner = new Map<ArrayBufferLike, number>();
  const plan = (w: number): WorkerPlan => {
    let p = plans.get(w);
    if (!p) plans.set(w, (p = { jobs: [], sinks: [], transfer: new Set(), pieces: [] }));
    return p;
  };
  /** The input array for a piece on worker w: shared, transferred, or (if its buffer already goes elsewhere) copied. */
  const input = (w: number, j: number, piece: PieceEntry): Float32Array => {
    const a = items[j]!.array;
    const { offset, length } = piece.desc;
    let v = offset === 0 && length === a.length ? a : a.subarray(offset, offset + length);
    if (v.buffer instanceof ArrayBuffer) {
      const owner = bufferOwner.get(v.buffer);
      if (owner === undefined) bufferOwner.set(v.buffer, w);
      else if (owner !== w) v = v.slice();
      plan(w).transfer.add(v.buffer as ArrayBuffer);
    }
    return v;
  };
  const rank = new Map<number, number>(order.map((j, r) => [j, r]));
  const pos = (j: number, c: number): number => rank.get(j)! * size + c;
  const desc = (p: PieceEntry) => registry.descFor(p, pool.slots[p.worker]!.known);
  const out: SparseTensor[] = new Array(items.length);
  const cands: CandPiece[][] = items.map(() => []);
  const merges: Array<() => void> = [];
  const fixups = new Map<number, Fixup[]>();
  const held: HeldMerge[] = [];
  /** Phase-one jobs of the pieces of tensors `js`; `mode` set: the workers hold the candidates (fast path). */
  const candidates = (js: number[], k: (j: number, len: number) => number, keepTies: boolean, hold?: HeldMerge): void => {
    // Held pieces first give their share of the budget (workers/held.ts), extended when needed.
    const total = js.reduce((a, j) => a + tensors[j]!.length, 0);
    for (const j of js) {
      tensors[j]!.pieces.forEach((p, c) => {
        const wp = plan(p.worker);
        const kp = hold ? pieceBudget(hold.K, p.desc.length, total) : k(j, p.desc.length);
        const inPlace = tensors[j]!.pieces.length === 1 ? items[j]!.inPlace : undefined;
        wp.jobs.push({
          kind: 'candidates', pos: pos(j, c), piece: desc(p), k: kp, keepTies, hold: hold !== undefined,
          input: input(p.worker, j, p), ...(inPlace !== undefined ? { inPlace } : {}),
        });
        wp.pieces.push(p);
        if (hold) {
          const entry: HeldMerge['pieces'][number] = { piece: p, k: kp, hist: new Uint32Array(0) };
          hold.pieces.push(entry);
          wp.sinks.push((r) => void ('hist' in r && (entry.hist = r.hist)));
        } else {
          wp.sinks.push((r) => void (!('hist' in r) && (cands[j]![c] = { offset: p.desc.offset, cand: r })));
        }
      });
    }
    if (hold) held.push(hold);
  };
  /** A held merge over tensors `js` whose kept pieces become out[j]. */
  const heldMerge = (js: number[], K: number, mode: 'topk' | 'atLeast'): HeldMerge => ({
    K, mode, pieces: [],
    done: (kept) => {
      let q = 0;
      for (const j of js) {
        const parts = tensors[j]!.pieces.map(() => kept[q++]!);
        out[j] = { name: items[j]!.name, length: tensors[j]!.length, ...concatSelections(parts) };
      }
    },
  });
  const fixup = (p: PieceEntry, rejected: SelectionOut): void => {
    if (rejected.indices.length === 0) return;
    let list = fixups.get(p.worker);
    if (!list) fixups.set(p.worker, (list = []));
    list.push({ key: p.desc.key, ...rejected });
  };
  /** Splits every piece of tensors `js` by its rule (generic path); kept → out[j], rejected → fix-ups. */
  const settle = (js: number[], rule: (j: number, c: number, q: number) => KeepRule): void => {
    let q = 0;
    for (const j of js) {
      const parts = tensors[j]!.pieces.map((p, c) => {
        const split = splitPiece(cands[j]![c]!, rule(j, c, q++));
        fixup(p, split.rejected);
        return split.kept;
      });
      out[j] = { name: items[j]!.name, length: tensors[j]!.length, ...concatSelections(parts) };
    }
  };
  for (const g of groups) {
    const whole = g.members.every((j) => tensors[j]!.pieces.length === 1);
    const w0 = tensors[g.members[0]!]!.pieces[0]!.worker;
    if (whole && g.members.every((j) => tensors[j]!.pieces[0]!.worker === w0)) {
      const wp = plan(w0);
      wp.jobs.push({
        kind: 'group', method: g.method, K: g.K,
        members: g.members.map((j) => {
          const p = tensors[j]!.pieces[0]!;
          wp.pieces.push(p);
          const q = params[j]!;
          const inPlace = items[j]!.inPlace;
          return { pos: pos(j, 0), piece: desc(p), input: input(w0, j, p), k: q.method === 'hybrid' ? q.k : 0, ...(inPlace !== undefined ? { inPlace } : {}) };
        }),
      });
      for (const j of g.members) wp.sinks.push((sel) => (out[j] = { name: items[j]!.name, length: tensors[j]!.length, ...(sel as SelectionOut) }));
    } else if (g.method === 'global-topk' && post) {
      candidates(g.members, (_j, len) => Math.min(g.K, len), false);
      merges.push(() => {
        const cut = topkCut(g.members.flatMap((j) => cands[j]!), g.K);
        settle(g.members, (_j, _c, q) => cutRule(cut, q));
      });
    } else if (g.method === 'global-topk') {
      candidates(g.members, (_j, len) => Math.min(g.K, len), false, heldMerge(g.members, g.K, 'topk'));
    } else {
      candidates(g.members, (j, len) => Math.min(Math.max(g.K, (params[j] as { k: number }).k), len), true);
      merges.push(() => {
        const Tg = g.K > 0 ? kthLargestKey(g.members.flatMap((j) => cands[j]!.map((c) => c.cand.values)), g.K) : undefined;
        const own = new Map(g.members.map((j) => [j, topkCut(cands[j]!, (params[j] as { k: number }).k)]));
        settle(g.members, (j, c) => eitherRule(cutRule(own.get(j)!, c), atLeastRule(Tg)));
      });
    }
  }
  for (const j of order) {
    const p = params[j]!;
    if (p.method === 'global-topk' || p.method === 'hybrid') continue;
    const t = tensors[j]!;
    const name = items[j]!.name;
    if (t.pieces.length === 1 || p.method === 'threshold') {
      const parts: SelectionOut[] = new Array(t.pieces.length);
      let pending = t.pieces.length;
      t.pieces.forEach((piece, c) => {
        const wp = plan(piece.worker);
        const q = p as ResolvedParams;
        const imp = q.method === 'structured' && q.spec.unit === 'head' ? ctx.importance.get(name) : undefined;
        const params = imp && q.method === 'structured' ? { ...q, spec: { ...q.spec, importance: imp } } : q;
        const scores = p.method === 'mask' ? ctx.maskScores.get(name)?.slice() : undefined;
        if (scores) wp.transfer.add(scores.buffer);
        const inPlace = items[j]!.inPlace;
        wp.jobs.push({
          kind: 'direct', pos: pos(j, c), piece: desc(piece), params, input: input(piece.worker, j, piece),
          ...(scores ? { scores } : {}), ...(inPlace !== undefined ? { inPlace } : {}),
        });
        wp.pieces.push(piece);
        wp.sinks.push((sel) => {
          parts[c] = shiftIndices(sel as SelectionOut, piece.desc.offset);
          if (--pending === 0) out[j] = { name, length: t.length, ...concatSelections(parts) };
        });
      });
    } else if (p.method === 'topk' && post) {
      candidates([j], (_j, len) => Math.min(p.k, len), false);
      merges.push(() => {
        const cut = topkCut(cands[j]!, p.k);
        settle([j], (_j, c) => cutRule(cut, c));
      });
    } else if (p.method === 'percentile' && post) {
      candidates([j], (_j, len) => Math.min(p.k, len), true);
      merges.push(() => {
        const T = p.k > 0 ? kthLargestKey(cands[j]!.map((c) => c.cand.values), p.k) : undefined;
        settle([j], () => atLeastRule(T));
      });
    } else if (p.method === 'topk') {
      candidates([j], (_j, len) => Math.min(p.k, len), false, heldMerge([j], p.k, 'topk'));
    } else if (p.method === 'percentile') {
      candidates([j], (_j, len) => Math.min(p.k, len), true, heldMerge([j], p.k, 'atLeast'));
    } else {
      throw new Error(`internal: tensor '${name}' (${p.method}) is split but its method has no exact merge`);
    }
  }
  const stepPlan: StepPlan = { plans, merges, held, fixups, out, scale, ...(post ? { post } : {}) };
  return runPhases(ctx, step, stepPlan);
}
