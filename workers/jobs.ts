/**
 * The kernel calls of one worker job on its pieces, with the in-thread compressor's parameters
 * (ts-api/compressor.ts `runKernels`, ts-api/step_stages.ts): DGC clipping and momentum correction
 * on the copied input, then the selection kernel — element-wise, joint (global-topk, hybrid),
 * structured (ts-api/backends/wasm/structured.ts) or learned mask (`maskKernel`). A whole-tensor
 * piece therefore gives the in-thread result to the bit; a candidates job is phase one of an exact
 * merge (workers/merge.ts).
 */
import type { WasmCore } from '../ts-api/backends/wasm/core.ts';
import { runStructuredKernel, takeUnits } from '../ts-api/backends/wasm/structured.ts';
import { ConfigError, ShapeError, SparsegradError } from '../ts-api/errors.ts';
import type { PendingMask, Slot } from '../ts-api/slot.ts';
import { maskKernel } from '../ts-api/step_stages.ts';
import type { DirectJob, HostError, Job, JobResult, PieceDesc, SelectionOut } from './protocol.ts';

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

/** Histogram of the candidates' keys by their top 16 bits. */
export function keyHistogram(values: Float32Array): Uint32Array {
  const hist = new Uint32Array(65536);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let j = 0; j < bits.length; j++) hist[(bits[j]! & 0x7fffffff) >>> 15]!++;
  return hist;
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

class KernelFailure {
  constructor(readonly index: number) {}
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
  const { core } = ctx;
  const x = core.exports;
  const width = job.method === 'global-topk' ? 4 : 5;
  const ps = job.members.map((m) => ctx.piece(m.piece));
  job.members.forEach((m, j) => load(ctx, ps[j]!, m.input, m.inPlace));
  touched.push(...ps);
  const table = core.alloc(ps.length * width * 4);
  try {
    const t = core.u32(table, ps.length * width);
    ps.forEach((p, j) => {
      t.set([p.s, p.r, p.length], j * width);
      if (width === 5) t[j * width + 3] = job.members[j]!.k;
    });
    const rc = job.method === 'global-topk' ? x.sg_global_topk(table, ps.length, job.K) : x.sg_hybrid(table, ps.length, job.K);
    if (rc < 0) {
      const m = job.members[x.sg_error_tensor()]!;
      const index = x.sg_error_index();
      return kernelError(m.pos, m.piece, index, m.input[index]);
    }
    const counts = core.u32(table, ps.length * width).slice();
    let from = 0;
    ps.forEach((_, j) => {
      const count = counts[j * width + width - 1]!;
      out.push(core.takeResults(from, count));
      from += count;
    });
  } finally {
    core.free(table);
  }
  return null;
}

/** The kernel of a direct job: its result count (negative: a non-finite element), or an input error. */
function direct(ctx: JobContext, p: Piece, job: DirectJob, units: { sel?: SelectionOut }): number {
  const x = ctx.core.exports;
  const { s, r, length: n, id } = p;
  const q = job.params;
  switch (q.method) {
    case 'topk': return x.sg_topk(s, r, n, q.k, 0);
    case 'percentile': return x.sg_topk(s, r, n, q.k, 1);
    case 'threshold': return x.sg_threshold(s, r, n, q.threshold);
    case 'randomk': return x.sg_randomk(s, r, n, q.k, ctx.seed, ctx.step, id, q.rescale ? 1 : 0);
    case 'probabilistic': return x.sg_probabilistic(s, r, n, q.k, ctx.seed, ctx.step, id);
    case 'approx-topk': return x.sg_approx_topk(s, r, n, q.k, q.sampleSize, q.stride, q.rank, q.tolerance, q.maxIterations);
    case 'structured': {
      const spec = q.spec;
      if (spec.unit === 'head' && spec.score === 'importance') {
        const imp = spec.importance;
        if (!imp) throw new ConfigError(`tensor '${p.name}': score 'importance' needs setImportance(name, scores) first`);
        if (imp.length !== spec.heads) throw new ShapeError(`tensor '${p.name}': ${imp.length} importance scores for ${spec.heads} heads`);
      }
      const rc = runStructuredKernel(ctx.core, s, r, n, spec, q.k);
      if (rc === -2) throw new ConfigError(`tensor '${p.name}': the core refused the ${q.name} parameters`);
      if (rc >= 0) units.sel = { ...ctx.core.takeResults(0, rc), units: takeUnits(ctx.core) };
      return rc;
    }
    case 'mask': {
      const prev = p.mask;
      const fail = (_j: number, i: number): never => {
        throw new KernelFailure(i);
      };
      const rc = maskKernel(ctx.core, p, q, ctx.step, 0, job.scores, ctx.pendingMasks, fail);
      const pm = ctx.pendingMasks.get(p.name)!;
      const changed = pm.refreshed && !(prev && prev.length === pm.mask.length && prev.every((v, i) => v === pm.mask[i]));
      units.sel = { ...ctx.core.takeResults(0, rc), maskChanged: changed };
      return rc;
    }
    default:
      throw new SparsegradError('E_INTERNAL', `method '${q.method}' cannot run as a direct job`);
  }
}

/**
 * Runs one job, pushing its results (one per group member) to `out` and its pieces to `touched`,
 * and the candidates of held jobs to `held`. Returns a non-fatal error (kernel or input) or null.
 */
export function runJob(
  ctx: JobContext, job: Job, touched: Piece[], out: JobResult[], held: Map<string, SelectionOut>,
): HostError | null {
  if (job.kind === 'group') return runGroup(ctx, job, touched, out);
  const x = ctx.core.exports;
  const p = ctx.piece(job.piece);
  load(ctx, p, job.input, job.inPlace);
  touched.push(p);
  const got: { sel?: SelectionOut } = {};
  let rc: number;
  try {
    rc = job.kind === 'candidates' ? x.sg_topk(p.s, p.r, p.length, job.k, job.keepTies ? 1 : 0) : direct(ctx, p, job, got);
  } catch (e) {
    if (e instanceof KernelFailure) return kernelError(job.pos, job.piece, e.index, job.input[e.index]);
    if (e instanceof ConfigError || e instanceof ShapeError) return inputError(job.pos, e);
    throw e;
  }
  if (rc < 0) {
    const index = x.sg_error_index();
    return kernelError(job.pos, job.piece, index, job.input[index]);
  }
  const sel = got.sel ?? ctx.core.takeResults(0, rc);
  if (job.kind === 'candidates' && job.hold) {
    held.set(p.key, sel);
    out.push({ hist: keyHistogram(sel.values) });
  } else {
    out.push(sel);
  }
  return null;
}
