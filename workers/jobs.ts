/**
 * One worker job on its pieces: DGC clipping and momentum correction on the copied input, then the
 * selection kernel through the calls the in-thread compressor makes (ts-api/kernel_calls.ts) —
 * element-wise, joint (global-topk, hybrid), structured or learned mask. A whole-tensor piece
 * therefore gives the in-thread result to the bit; a candidates job (top-k of a piece, keeping ties
 * for percentile) is phase one of an exact merge (workers/merge.ts).
 */
import type { WasmCore } from '../ts-api/backends/wasm/core.ts';
import type { ResolvedParams } from '../ts-api/config.ts';
import { ConfigError, ShapeError, SparsegradError } from '../ts-api/errors.ts';
import { selectGroup, selectSlot, type KernelContext } from '../ts-api/kernel_calls.ts';
import type { PendingMask, Slot } from '../ts-api/slot.ts';
import { keyHistogram } from './merge.ts';
import type { HostError, Job, JobResult, PieceDesc, SelectionOut } from './protocol.ts';

/** A piece in a worker: its descriptor, buffers in the worker's Wasm memory and mask state. */
export interface Piece extends Omit<PieceDesc, 'snapshot'>, Slot {
  /** Shared snapshot: two slots of (state arrays × length) f32, on the coordinator's SharedArrayBuffer. */
  snap?: Float32Array;
}

/** What a job run needs from the engine. */
export interface JobContext {
  core: WasmCore;
  seed: number;
  step: number;
  /** DGC clipping factor of the step (1: none). */
  scale: number;
  /** DGC momentum factor, or undefined without momentum correction. */
  momentum: number | undefined;
  /** The piece of a descriptor, created on first use. */
  piece(desc: PieceDesc): Piece;
  /** Learned masks decided in this step (adopted at commit). */
  pendingMasks: Map<string, PendingMask>;
}

/** Non-finite detail as the in-thread compressor words it. */
function nonFiniteDetail(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'gradient contains NaN';
  if (!Number.isFinite(v)) return 'gradient contains Infinity';
  return 'gradient + residual overflows float32 (or the input was overwritten)';
}

/** A kernel's non-finite report as a non-fatal HostError at canonical position `pos`. */
function kernelError(pos: number, piece: PieceDesc, index: number, v: number | undefined): HostError {
  const detail = nonFiniteDetail(v);
  return {
    code: 'E_NONFINITE', name: 'NonFiniteError', fatal: false, pos, index, detail,
    message: `tensor '${piece.name}': ${detail} at index ${piece.offset + index}`,
  };
}

/** A typed input error of a job (config, shape) as a non-fatal HostError at `pos`. */
function inputError(pos: number, e: SparsegradError): HostError {
  return { code: e.code, name: e.name, message: e.message, fatal: false, pos };
}

/** A kernel's non-finite report, thrown through the shared kernel calls and caught by the job. */
class KernelFailure {
  constructor(readonly index: number, readonly member = 0) {}
}

/**
 * Copies a piece's input into its buffer (unless it was staged there in place), then clips and
 * applies momentum correction.
 */
function load(ctx: JobContext, p: Piece, input: Float32Array, inPlace: number | undefined): void {
  if (!(input instanceof Float32Array) || input.length !== p.length) {
    throw new SparsegradError('E_INTERNAL', `input of piece '${p.key}' must be a Float32Array of length ${p.length}`);
  }
  const x = ctx.core.exports;
  if (inPlace !== p.s) ctx.core.f32(p.s, p.length).set(input);
  if (ctx.momentum !== undefined) x.sg_momentum(p.s, p.u, p.u2, p.length, ctx.momentum, ctx.scale);
  else if (ctx.scale !== 1) x.sg_scale(p.s, p.length, ctx.scale);
}

/** Runs a joint group (global-topk, hybrid) whose tensors all live whole on this worker. */
function runGroup(ctx: JobContext, job: Extract<Job, { kind: 'group' }>, touched: Piece[], out: JobResult[]): HostError | null {
  const ps = job.members.map((m) => ctx.piece(m.piece));
  job.members.forEach((m, j) => load(ctx, ps[j]!, m.input, m.inPlace));
  touched.push(...ps);
  try {
    const fail = (m: number, index: number): never => {
      throw new KernelFailure(index, m);
    };
    const sels = selectGroup(ctx.core, job.method, job.K, ps.map((slot, j) => ({ slot, k: job.members[j]!.k })), fail);
    for (const { indices, values } of sels) out.push({ indices, values });
  } catch (e) {
    if (!(e instanceof KernelFailure)) throw e;
    const m = job.members[e.member]!;
    return kernelError(m.pos, m.piece, e.index, m.input[e.index]);
  }
  return null;
}

/**
 * Runs one job, pushing its results (one per group member) to `out` and its pieces to `touched`,
 * and the candidates of held jobs to `held`. Returns a non-fatal error (kernel or input) or null.
 */
export function runJob(
  ctx: JobContext, job: Job, touched: Piece[], out: JobResult[], held: Map<string, SelectionOut>,
): HostError | null {
  if (job.kind === 'group') return runGroup(ctx, job, touched, out);
  const p = ctx.piece(job.piece);
  load(ctx, p, job.input, job.inPlace);
  touched.push(p);
  let sel: SelectionOut;
  try {
    const kctx: KernelContext = {
      core: ctx.core, seed: ctx.seed, step: ctx.step, pendingMasks: ctx.pendingMasks,
      fail: (index) => {
        throw new KernelFailure(index);
      },
    };
    const params: ResolvedParams = job.kind === 'direct' ? job.params
      : job.keepTies ? { method: 'percentile', k: job.k } : { method: 'topk', k: job.k, rescale: false };
    const spec = params.method === 'structured' && params.spec.unit === 'head' ? params.spec.importance : undefined;
    const { indices, values, units, maskChanged } = selectSlot(kctx, p, params, { scores: job.kind === 'direct' ? job.scores : undefined, importance: spec });
    sel = { indices, values, ...(units ? { units } : {}), ...(maskChanged !== undefined ? { maskChanged } : {}) };
  } catch (e) {
    if (e instanceof KernelFailure) return kernelError(job.pos, job.piece, e.index, job.input[e.index]);
    if (e instanceof ConfigError || e instanceof ShapeError) return inputError(job.pos, e);
    throw e;
  }
  if (job.kind === 'candidates' && job.hold) {
    held.set(p.key, sel);
    out.push({ hist: keyHistogram(sel.values) });
  } else {
    out.push(sel);
  }
  return null;
}
