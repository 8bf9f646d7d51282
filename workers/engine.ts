/**
 * The worker side of a pool: the pieces (whole tensors or chunks) one worker owns, each with an
 * input buffer and a residual in the worker's own Wasm core, and the two-phase step that lets the
 * coordinator commit a step across workers only when every worker succeeded. The kernel calls are
 * the in-thread compressor's (ts-api/compressor.ts) with the same parameters, so a piece that is a
 * whole tensor gives the in-thread result to the bit; candidates jobs are phase one of the exact
 * merge in workers/merge.ts.
 *
 * Buffers swap roles on commit exactly as in the in-thread compressor: a kernel writes acc = g + r
 * over the input buffer `s` (reading `r` only) and the new residual at the kept positions, so until
 * the next prepare the old residual is still intact in `r` — which is what makes `rollback` possible.
 */
import { buildHash, loadCore, type WasmCore } from '../ts-api/backends/wasm/core.ts';
import { SparsegradError } from '../ts-api/errors.ts';
import { fnv1a32 } from '../ts-api/reference/rng.ts';
import type {
  CutSpec, FaultSpec, FinishReply, FinishRequest, HostError, HostInit, HostInfo, Job, JobResult, PieceDesc, PieceValues, PrepareReply,
  PrepareRequest, SelectionOut, SnapshotMode,
} from './protocol.ts';
import { coreMemory, publishResidual } from './shared_core.ts';

interface Piece extends PieceDesc {
  id: number;
  /** Input buffer (the new residual after a successful kernel). */
  s: number;
  /** Residual (0 without error feedback). */
  r: number;
  /** Shared snapshot: two slots of `length` f32 each, on a SharedArrayBuffer owned by the coordinator. */
  snap?: Float32Array;
}

interface StepState {
  token: number;
  pieces: Piece[];
  created: Piece[];
  /** Candidates of held pieces (kept here until the coordinator's cut). */
  held: Map<string, SelectionOut>;
}

/** Histogram of the candidates' keys by their top 16 bits. */
function keyHistogram(values: Float32Array): Uint32Array {
  const hist = new Uint32Array(65536);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let j = 0; j < bits.length; j++) hist[(bits[j]! & 0x7fffffff) >>> 15]!++;
  return hist;
}

/** Raised for protocol violations (a coordinator bug): the worker is then replaced. */
class InternalError extends SparsegradError {
  constructor(message: string) {
    super('E_INTERNAL', message);
  }
}

/** Environment hooks of the worker (how to die for fault injection). */
export interface EngineHooks {
  exit(): void;
}

/** Non-finite detail as the in-thread compressor words it. */
function nonFiniteDetail(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'gradient contains NaN';
  if (!Number.isFinite(v)) return 'gradient contains Infinity';
  return 'gradient + residual overflows float32 (or the input was overwritten)';
}

/** Turns anything thrown into a HostError; typed input errors keep the worker, anything else is fatal. */
export function toHostError(e: unknown): HostError {
  if (e instanceof SparsegradError && e.code !== 'E_WASM_ABORT' && e.code !== 'E_INTERNAL') {
    return { code: e.code, name: e.name, message: e.message, fatal: false };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: (err as { code?: string }).code ?? 'E_INTERNAL', name: err.name, message: err.message, fatal: true };
}

/** One worker's pieces and its two-phase step. */
export class Engine {
  private readonly pieces = new Map<string, Piece>();
  private pending: StepState | null = null;
  private committed: StepState | null = null;
  private faultSpec: FaultSpec | null = null;

  private constructor(
    private readonly core: WasmCore,
    private readonly ef: boolean,
    private readonly seed: number,
    private readonly mode: SnapshotMode,
    private readonly hooks: EngineHooks,
  ) {}

  /** Loads the core for the options. */
  static async create(init: HostInit, hooks: EngineHooks): Promise<{ engine: Engine; info: HostInfo }> {
    const core = await loadCore({ simd: init.options.simd ?? 'auto', ...coreMemory(init.snapshots) });
    const engine = new Engine(core, init.options.errorFeedback ?? true, init.options.seed ?? 0, init.snapshots, hooks);
    return { engine, info: { simd: core.simd, buildHash, sharedMemory: core.sharedMemory } };
  }

  private ensure(desc: PieceDesc, created?: Piece[]): Piece {
    let p = this.pieces.get(desc.key);
    if (p) {
      if (p.length !== desc.length) throw new InternalError(`piece '${desc.key}' has length ${p.length}, not ${desc.length}`);
      if (desc.snapshot) p.snap = new Float32Array(desc.snapshot, 0, 2 * p.length);
      return p;
    }
    const s = this.core.alloc(desc.length * 4);
    let r = 0;
    if (this.ef) {
      try {
        r = this.core.allocF32(desc.length, true).ptr;
      } catch (e) {
        this.core.free(s);
        throw e;
      }
    }
    const { snapshot, ...rest } = desc;
    p = { ...rest, id: fnv1a32(desc.name), s, r };
    if (snapshot) p.snap = new Float32Array(snapshot, 0, 2 * desc.length);
    this.pieces.set(desc.key, p);
    created?.push(p);
    return p;
  }

  private dropPieces(list: Piece[]): void {
    for (const p of list) {
      this.core.free(p.s);
      this.core.free(p.r);
      this.pieces.delete(p.key);
    }
  }

  private fire(phase: FaultSpec['phase']): void {
    const f = this.faultSpec;
    if (!f || f.phase !== phase) return;
    this.faultSpec = null;
    if (f.action === 'exit') this.hooks.exit();
    if (f.action === 'throw') throw new Error(`injected fault in ${phase}`);
    if (f.action === 'hang') for (;;) { /* spin until terminated */ }
  }

  /** Tests: arm a fault for the next step. */
  fault(spec: FaultSpec): void {
    this.faultSpec = spec;
  }

  private copyIn(p: Piece, input: Float32Array): void {
    if (!(input instanceof Float32Array) || input.length !== p.length) {
      throw new InternalError(`input of piece '${p.key}' must be a Float32Array of length ${p.length}`);
    }
    this.core.f32(p.s, p.length).set(input);
  }

  /** Runs one job; returns its results or a non-fatal kernel error. */
  private run(
    job: Job, step: number, touched: Piece[], created: Piece[], out: JobResult[], held: Map<string, SelectionOut>,
  ): HostError | null {
    const x = this.core.exports;
    if (job.kind === 'group') {
      const width = job.method === 'global-topk' ? 4 : 5;
      const ps = job.members.map((m) => this.ensure(m.piece, created));
      job.members.forEach((m, j) => this.copyIn(ps[j]!, m.input));
      touched.push(...ps);
      const table = this.core.alloc(ps.length * width * 4);
      try {
        const t = this.core.u32(table, ps.length * width);
        ps.forEach((p, j) => {
          t.set([p.s, p.r, p.length], j * width);
          if (width === 5) t[j * width + 3] = job.members[j]!.k;
        });
        const rc = job.method === 'global-topk' ? x.sg_global_topk(table, ps.length, job.K) : x.sg_hybrid(table, ps.length, job.K);
        if (rc < 0) {
          const j = x.sg_error_tensor();
          const index = x.sg_error_index();
          return this.kernelError(job.members[j]!.pos, job.members[j]!.piece, index, job.members[j]!.input[index]);
        }
        const counts = this.core.u32(table, ps.length * width).slice();
        let from = 0;
        ps.forEach((_, j) => {
          const count = counts[j * width + width - 1]!;
          out.push(this.core.takeResults(from, count));
          from += count;
        });
      } finally {
        this.core.free(table);
      }
      return null;
    }
    const p = this.ensure(job.piece, created);
    this.copyIn(p, job.input);
    touched.push(p);
    const { s, r, length: n, id } = p;
    let rc: number;
    if (job.kind === 'candidates') {
      rc = x.sg_topk(s, r, n, job.k, job.keepTies ? 1 : 0);
    } else {
      const q = job.params;
      switch (q.method) {
        case 'topk': rc = x.sg_topk(s, r, n, q.k, 0); break;
        case 'percentile': rc = x.sg_topk(s, r, n, q.k, 1); break;
        case 'threshold': rc = x.sg_threshold(s, r, n, q.threshold); break;
        case 'randomk': rc = x.sg_randomk(s, r, n, q.k, this.seed, step, id, q.rescale ? 1 : 0); break;
        case 'probabilistic': rc = x.sg_probabilistic(s, r, n, q.k, this.seed, step, id); break;
        case 'approx-topk':
          rc = x.sg_approx_topk(s, r, n, q.k, q.sampleSize, q.stride, q.rank, q.tolerance, q.maxIterations);
          break;
        default:
          throw new InternalError(`method '${q.method}' cannot run as a direct job`);
      }
    }
    if (rc < 0) {
      const index = x.sg_error_index();
      return this.kernelError(job.pos, job.piece, index, job.input[index]);
    }
    const sel = this.core.takeResults(0, rc);
    if (job.kind === 'candidates' && job.hold) {
      held.set(p.key, sel);
      out.push({ hist: keyHistogram(sel.values) });
    } else {
      out.push(sel);
    }
    return null;
  }

  private kernelError(pos: number, piece: PieceDesc, index: number, v: number | undefined): HostError {
    const detail = nonFiniteDetail(v);
    return {
      code: 'E_NONFINITE', name: 'NonFiniteError', fatal: false, pos, index, detail,
      message: `tensor '${piece.name}': ${detail} at index ${piece.offset + index}`,
    };
  }

  /** Phase one: run every job in order; stop at the first failure. Nothing is committed. */
  prepare(req: PrepareRequest): PrepareReply {
    this.committed = null; // a new step makes the last commit final
    if (this.pending) {
      this.dropPieces(this.pending.created);
      this.pending = null;
    }
    const created: Piece[] = [];
    const touched: Piece[] = [];
    const results: JobResult[] = [];
    const held = new Map<string, SelectionOut>();
    try {
      for (const job of req.jobs) {
        const err = this.run(job, req.step, touched, created, results, held);
        if (err) {
          this.dropPieces(created);
          return { ok: false, error: err };
        }
      }
    } catch (e) {
      this.dropPieces(created);
      return { ok: false, error: toHostError(e) };
    }
    this.pending = { token: req.token, pieces: touched, created, held };
    this.fire('prepare');
    if (!req.autoCommit) return { ok: true, results };
    const copies = this.commit(req.autoCommit.slots);
    return copies ? { ok: true, results, copies } : { ok: true, results };
  }

  private commit(slots: Record<string, number>): Record<string, Float32Array> | undefined {
    const st = this.pending!;
    let copies: Record<string, Float32Array> | undefined;
    if (this.ef) {
      for (const p of st.pieces) {
        if (this.mode === 'shared') {
          const slot = slots[p.key];
          if (!p.snap || (slot !== 0 && slot !== 1)) throw new InternalError(`no snapshot slot for piece '${p.key}'`);
          p.snap.subarray(slot * p.length, (slot + 1) * p.length).set(this.core.f32(p.s, p.length));
        } else if (this.mode === 'copy' || this.mode === 'memory') {
          (copies ??= {})[p.key] = publishResidual(this.core, p.s, p.length);
        }
      }
      for (const p of st.pieces) [p.s, p.r] = [p.r, p.s];
    }
    this.committed = st;
    this.pending = null;
    return copies;
  }

  /** Phase two: abort, or apply fix-ups, publish snapshots and commit. */
  finish(req: FinishRequest): FinishReply {
    const st = this.pending;
    if (!req.commit) {
      if (st && st.token === req.token) {
        this.dropPieces(st.created);
        this.pending = null;
      }
      return { ok: true };
    }
    try {
      if (!st || st.token !== req.token) throw new InternalError(`no prepared step ${req.token} to commit`);
      let kept: Record<string, SelectionOut> | undefined;
      for (const [key, cut] of Object.entries(req.cuts)) (kept ??= {})[key] = this.applyCut(st, key, cut);
      for (const f of req.fixups) {
        const p = this.pieces.get(f.key);
        if (!p) throw new InternalError(`fix-up for unknown piece '${f.key}'`);
        if (!this.ef) continue;
        const v = this.core.f32(p.s, p.length);
        const { indices, values } = f;
        for (let j = 0; j < indices.length; j++) v[indices[j]!] = values[j]!;
      }
      const copies = this.commit(req.slots);
      this.fire('finish');
      return { ok: true, ...(copies ? { copies } : {}), ...(kept ? { kept } : {}) };
    } catch (e) {
      return { ok: false, error: { ...toHostError(e), fatal: true } };
    }
  }

  /** The held candidate keys of pieces that fall in a 16-bit bucket. */
  bucket(token: number, items: Array<{ key: string; bucket: number }>): Uint32Array[] {
    const st = this.pending;
    if (!st || st.token !== token) throw new InternalError(`no prepared step ${token}`);
    return items.map(({ key, bucket }) => {
      const sel = st.held.get(key);
      if (!sel) throw new InternalError(`piece '${key}' holds no candidates`);
      const bits = new Uint32Array(sel.values.buffer, sel.values.byteOffset, sel.values.length);
      let m = 0;
      for (let j = 0; j < bits.length; j++) if ((bits[j]! & 0x7fffffff) >>> 15 === bucket) m++;
      const out = new Uint32Array(m);
      m = 0;
      for (let j = 0; j < bits.length; j++) {
        const key = bits[j]! & 0x7fffffff;
        if (key >>> 15 === bucket) out[m++] = key;
      }
      return out;
    });
  }

  /**
   * Keeps a held piece's candidates with key > T and the first `ties` with key == T (tensor
   * indices), and restores the accumulated value of the others into the new residual.
   */
  private applyCut(st: StepState, key: string, cut: CutSpec): SelectionOut {
    const sel = st.held.get(key);
    const p = this.pieces.get(key);
    if (!sel || !p) throw new InternalError(`cut for piece '${key}', which holds no candidates`);
    const { T, kept } = cut;
    const bits = new Uint32Array(sel.values.buffer, sel.values.byteOffset, sel.values.length);
    const n = bits.length;
    if (!(kept >= 0 && kept <= n)) throw new InternalError(`cut of piece '${key}' keeps ${kept} of ${n} candidates`);
    const out = { indices: new Uint32Array(kept), values: new Float32Array(kept) };
    const r = this.ef ? this.core.f32(p.s, p.length) : null;
    const { indices, values } = sel;
    const offset = p.offset;
    let t = cut.ties;
    let a = 0;
    for (let j = 0; j < n; j++) {
      const k = bits[j]! & 0x7fffffff;
      if (k > T || (k === T && t-- > 0)) {
        if (a === kept) throw new InternalError(`cut of piece '${key}' keeps more than ${kept} candidates`);
        out.indices[a] = indices[j]! + offset;
        out.values[a++] = values[j]!;
      } else if (r) {
        r[indices[j]!] = values[j]!;
      }
    }
    if (a !== kept) throw new InternalError(`cut of piece '${key}' keeps ${a} candidates, not ${kept}`);
    return out;
  }

  /** Undoes the last local commit if it was step `token`. */
  rollback(token: number): void {
    const st = this.committed;
    if (!st || st.token !== token) return;
    if (this.ef) for (const p of st.pieces) [p.s, p.r] = [p.r, p.s];
    this.dropPieces(st.created);
    this.committed = null;
  }

  /** Copies of residuals (zeros for pieces never used). */
  read(pieces: PieceDesc[]): Float32Array[] {
    return pieces.map((d) => {
      const p = this.pieces.get(d.key);
      return p && p.r ? this.core.f32(p.r, p.length).slice() : new Float32Array(d.length);
    });
  }

  /** Overwrites residuals (creating pieces as needed). */
  write(items: PieceValues[]): void {
    this.committed = null;
    for (const { piece, values } of items) {
      const p = this.ensure(piece);
      if (values.length !== p.length) throw new InternalError(`values for piece '${p.key}' have length ${values.length}`);
      if (p.r) this.core.f32(p.r, p.length).set(values);
    }
  }

  /** Restores residuals from shared snapshot slots. */
  restoreShared(items: Array<{ piece: PieceDesc; slot: number }>): void {
    for (const { piece, slot } of items) {
      const p = this.ensure(piece);
      if (!p.snap) throw new InternalError(`piece '${p.key}' has no shared snapshot`);
      if (p.r) this.core.f32(p.r, p.length).set(p.snap.subarray(slot * p.length, (slot + 1) * p.length));
    }
  }

  /** Zeroes residuals. */
  reset(pieces: PieceDesc[]): void {
    this.committed = null;
    for (const d of pieces) {
      const p = this.pieces.get(d.key);
      if (p && p.r) this.core.f32(p.r, p.length).fill(0);
    }
  }

  /** Wasm memory in bytes. */
  memoryBytes(): number {
    return this.core.memoryBytes();
  }

  /** Frees every buffer. */
  dispose(): void {
    this.dropPieces([...this.pieces.values()]);
    this.pending = null;
    this.committed = null;
  }
}
