/**
 * The worker side of a pool: the pieces (whole tensors or chunks) one worker owns, each with an
 * input buffer, a residual, and where the options ask for them a momentum and a learned-mask EMA in
 * the worker's own Wasm core, and the two-phase step that lets the coordinator commit a step across
 * workers only when every worker succeeded. The kernel calls are the in-thread compressor's
 * (workers/jobs.ts), so a piece that is a whole tensor gives the in-thread result to the bit;
 * candidates jobs are phase one of the exact merge in workers/merge.ts.
 *
 * Buffers swap roles on commit exactly as in the in-thread compressor: a kernel writes acc = g + r
 * over the input buffer `s` (reading `r` only) and the new residual at the kept positions; the new
 * momentum goes to `u2` and the new mask EMA to `e2`. Until the next prepare the old state is
 * still intact in `r`, `u` and `e` — which is what makes `rollback` possible.
 */
import { buildHash, loadCore, type WasmCore } from '../ts-api/backends/wasm/core.ts';
import type { CompressorOptions } from '../ts-api/config.ts';
import { SparsegradError } from '../ts-api/errors.ts';
import { fnv1a32 } from '../ts-api/reference/rng.ts';
import type { PendingMask } from '../ts-api/slot.ts';
import { addAt, ensureMaskBuffers } from '../ts-api/step_stages.ts';
import { runJob, type JobContext, type Piece } from './jobs.ts';
import { applyCut, selectAgain } from './held_pieces.ts';
import { bucketKeys, keyHistogram } from './merge.ts';
import { stateArrays } from './piece_state.ts';
import { coreMemory, publishState } from './shared_core.ts';
import type {
  CutSpec, FaultSpec, FinishReply, FinishRequest, HostError, HostInit, HostInfo, JobResult, MaskMeta, PieceDesc,
  PieceRestore, PieceState, PieceValues, PrepareReply, PrepareRequest, Published, PublishSlots, SelectionOut, SnapshotMode,
} from './protocol.ts';

interface StepState {
  token: number;
  step: number;
  pieces: Piece[];
  created: Piece[];
  /** Candidates of held pieces (kept here until the coordinator's cut). */
  held: Map<string, SelectionOut>;
  /** Learned masks decided in the step; after commit, the masks they replaced (for rollback). */
  masks: Map<string, PendingMask>;
  replaced: Map<string, MaskMeta | undefined>;
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
  private readonly ef: boolean;
  private readonly momentum: number | undefined;

  private constructor(
    private readonly core: WasmCore,
    private readonly options: Readonly<CompressorOptions>,
    private readonly mode: SnapshotMode,
    private readonly hooks: EngineHooks,
  ) {
    this.ef = options.errorFeedback ?? true;
    this.momentum = options.momentum;
  }

  /** Loads the core for the options. */
  static async create(init: HostInit, hooks: EngineHooks): Promise<{ engine: Engine; info: HostInfo }> {
    const core = await loadCore({ simd: init.options.simd ?? 'auto', ...coreMemory(init.snapshots) });
    const engine = new Engine(core, init.options, init.snapshots, hooks);
    return { engine, info: { simd: core.simd, buildHash, sharedMemory: core.sharedMemory } };
  }

  private ensure(desc: PieceDesc, created?: Piece[]): Piece {
    let p = this.pieces.get(desc.key);
    if (p) {
      if (p.length !== desc.length) throw new InternalError(`piece '${desc.key}' has length ${p.length}, not ${desc.length}`);
      if (desc.snapshot) p.snap = new Float32Array(desc.snapshot);
      return p;
    }
    const got: number[] = [];
    const m = this.momentum !== undefined;
    try {
      got.push(this.core.alloc(desc.length * 4));
      got.push(this.ef ? this.core.allocF32(desc.length, true).ptr : 0);
      got.push(m ? this.core.allocF32(desc.length, true).ptr : 0);
      got.push(m ? this.core.alloc(desc.length * 4) : 0);
    } catch (e) {
      for (const q of got) this.core.free(q);
      throw e;
    }
    const [s, r, u, u2] = got as [number, number, number, number];
    const { snapshot, ...rest } = desc;
    p = { ...rest, id: fnv1a32(desc.name), s, r, u, u2, e: 0, e2: 0, maskStep: 0 };
    if (snapshot) p.snap = new Float32Array(snapshot);
    this.pieces.set(desc.key, p);
    created?.push(p);
    return p;
  }

  private dropPieces(list: Piece[]): void {
    for (const p of list) {
      for (const ptr of [p.s, p.r, p.u, p.u2, p.e, p.e2]) this.core.free(ptr);
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
    const masks = new Map<string, PendingMask>();
    const ctx: JobContext = {
      core: this.core, seed: this.options.seed ?? 0, step: req.step, scale: req.scale ?? 1, momentum: this.momentum,
      piece: (d) => this.ensure(d, created), pendingMasks: masks,
    };
    try {
      for (const job of req.jobs) {
        const err = runJob(ctx, job, touched, results, held);
        if (err) {
          this.dropPieces(created);
          return { ok: false, error: err };
        }
      }
    } catch (e) {
      this.dropPieces(created);
      return { ok: false, error: toHostError(e) };
    }
    this.pending = { token: req.token, step: req.step, pieces: touched, created, held, masks, replaced: new Map() };
    this.fire('prepare');
    if (!req.autoCommit) return { ok: true, results };
    return { ok: true, results, ...this.commit(req.autoCommit.slots) };
  }

  /** The state a commit publishes for piece `p`: its new residual, momentum and mask EMA. */
  private newState(p: Piece, pm: PendingMask | undefined): Float32Array[] {
    return stateArrays(this.options, p.name).map((a) => {
      const ptr = a === 'r' ? p.s : a === 'u' ? p.u2 : pm ? p.e2 : p.e;
      return ptr ? this.core.f32(ptr, p.length) : new Float32Array(p.length);
    });
  }

  /** Residual decay, snapshot publication, and the buffer swaps that make the step current. */
  private commit(slots: PublishSlots): Published {
    const st = this.pending!;
    const decay = this.options.residualDecay;
    const out: Published = {};
    if (this.ef) {
      for (const p of st.pieces) {
        if (decay !== undefined && decay !== 1) this.core.exports.sg_scale(p.s, p.length, decay);
        const pm = st.masks.get(p.name);
        const arrays = this.newState(p, pm);
        if (this.mode === 'shared') {
          const slot = slots[p.key];
          if (!p.snap || (slot !== 0 && slot !== 1)) throw new InternalError(`no snapshot slot for piece '${p.key}'`);
          const w = arrays.length * p.length;
          arrays.forEach((a, i) => p.snap!.set(a, slot * w + i * p.length));
        } else if (this.mode === 'copy' || this.mode === 'memory') {
          (out.copies ??= {})[p.key] = arrays.map((a) => publishState(this.core, a));
        }
        if (this.mode !== 'none' && stateArrays(this.options, p.name).includes('e')) {
          const meta = pm ? { mask: pm.mask, maskStep: pm.refreshed ? st.step : p.maskStep } : p.mask ? { mask: p.mask, maskStep: p.maskStep } : null;
          (out.metas ??= {})[p.key] = meta && { mask: meta.mask.slice(), maskStep: meta.maskStep };
        }
      }
    }
    for (const p of st.pieces) this.swap(p, st, true);
    if (this.core.sharedMemory) {
      out.memory = this.core.sharedBuffer();
      out.inputs = Object.fromEntries(st.pieces.map((p) => [p.key, p.s]));
    }
    this.committed = st;
    this.pending = null;
    return out;
  }

  /** Makes a step's buffers current (commit) or the previous ones again (rollback). */
  private swap(p: Piece, st: StepState, forward: boolean): void {
    if (this.ef) [p.s, p.r] = [p.r, p.s];
    if (this.momentum !== undefined) [p.u, p.u2] = [p.u2, p.u];
    const pm = st.masks.get(p.name);
    if (!pm) return;
    [p.e, p.e2] = [p.e2, p.e];
    if (forward) {
      st.replaced.set(p.name, p.mask ? { mask: p.mask, maskStep: p.maskStep } : undefined);
      p.mask = pm.mask;
      if (pm.refreshed) p.maskStep = st.step;
    } else {
      const old = st.replaced.get(p.name);
      p.mask = old?.mask;
      p.maskStep = old?.maskStep ?? 0;
    }
  }

  /** Phase two: abort, or apply cuts, fix-ups, additions and momentum masking, publish snapshots and commit. */
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
      const at = (key: string): Piece => {
        const p = this.pieces.get(key);
        if (!p) throw new InternalError(`fix-up for unknown piece '${key}'`);
        return p;
      };
      for (const f of req.fixups) {
        const p = at(f.key);
        if (!this.ef) continue;
        const v = this.core.f32(p.s, p.length);
        const { indices, values } = f;
        for (let j = 0; j < indices.length; j++) v[indices[j]!] = values[j]!;
      }
      for (const f of req.adds ?? []) {
        const p = at(f.key);
        if (this.ef) addAt(this.core.f32(p.s, p.length), f);
      }
      for (const f of req.sent ?? []) {
        const p = at(f.key);
        if (!p.u2) continue;
        const u2 = this.core.f32(p.u2, p.length);
        for (const i of f.indices) u2[i] = 0;
      }
      const published = this.commit(req.slots);
      this.fire('finish');
      return { ok: true, ...published, ...(kept ? { kept } : {}) };
    } catch (e) {
      return { ok: false, error: { ...toHostError(e), fatal: true } };
    }
  }

  /** Held pieces: select again with more candidates (workers/held_pieces.ts); their new key histograms. */
  extend(token: number, items: Array<{ key: string; k: number; keepTies: boolean }>): Uint32Array[] {
    const st = this.held(token);
    return items.map(({ key, k, keepTies }) => {
      const { p, sel } = this.heldPiece(st, key);
      const again = selectAgain(this.core, this.ef, p, sel, k, keepTies);
      st.held.set(key, again);
      return keyHistogram(again.values);
    });
  }

  /** The held candidate keys of pieces that fall in a 16-bit bucket. */
  bucket(token: number, items: Array<{ key: string; bucket: number }>): Uint32Array[] {
    const st = this.held(token);
    return items.map(({ key, bucket }) => bucketKeys(this.heldPiece(st, key).sel.values, bucket));
  }

  private held(token: number): StepState {
    const st = this.pending;
    if (!st || st.token !== token) throw new InternalError(`no prepared step ${token}`);
    return st;
  }

  private heldPiece(st: StepState, key: string): { p: Piece; sel: SelectionOut } {
    const sel = st.held.get(key);
    const p = this.pieces.get(key);
    if (!sel || !p) throw new InternalError(`piece '${key}' holds no candidates`);
    return { p, sel };
  }

  private applyCut(st: StepState, key: string, cut: CutSpec): SelectionOut {
    const { p, sel } = this.heldPiece(st, key);
    return applyCut(this.core, this.ef, p, sel, cut);
  }

  /** Undoes the last local commit if it was step `token`. */
  rollback(token: number): void {
    const st = this.committed;
    if (!st || st.token !== token) return;
    for (const p of st.pieces) this.swap(p, st, false);
    this.dropPieces(st.created);
    this.committed = null;
  }

  /** Copies of the pieces' whole state (pieces never used: nothing). */
  readState(pieces: PieceDesc[]): PieceState[] {
    return pieces.map((d) => {
      const p = this.pieces.get(d.key);
      if (!p) return {};
      const copy = (ptr: number) => (ptr ? this.core.f32(ptr, p.length).slice() : undefined);
      const out: PieceState = {};
      if (p.r) out.r = copy(p.r)!;
      if (p.u) out.u = copy(p.u)!;
      if (p.e) out.e = copy(p.e)!;
      if (p.mask) out.meta = { mask: p.mask.slice(), maskStep: p.maskStep };
      return out;
    });
  }

  /** Overwrites residuals (null: zeros), creating pieces as needed; other state is kept. */
  write(items: PieceValues[]): void {
    this.committed = null;
    for (const { piece, values } of items) {
      const p = this.ensure(piece);
      if (values && values.length !== p.length) throw new InternalError(`values for piece '${p.key}' have length ${values.length}`);
      if (!p.r) continue;
      if (values) this.core.f32(p.r, p.length).set(values);
      else this.core.f32(p.r, p.length).fill(0);
    }
  }

  /**
   * Restores whole states — residual, momentum, mask EMA and mask — from a shared snapshot slot or
   * from given arrays (one per state array; absent: zeros and no mask).
   */
  restore(items: PieceRestore[]): void {
    this.committed = null;
    for (const item of items) {
      const p = this.ensure(item.piece);
      const names = stateArrays(this.options, p.name);
      const w = names.length * p.length;
      let parts: Array<Float32Array | undefined> | undefined = item.state;
      if (item.slot !== undefined) {
        if (!p.snap) throw new InternalError(`piece '${p.key}' has no shared snapshot`);
        const src = p.snap.subarray(item.slot * w, (item.slot + 1) * w);
        parts = names.map((_, i) => src.subarray(i * p.length, (i + 1) * p.length));
      }
      if (parts && (parts.length !== names.length || parts.some((a) => a !== undefined && a.length !== p.length))) {
        throw new InternalError(`state of piece '${p.key}' does not have ${names.length} arrays of ${p.length}`);
      }
      names.forEach((a, i) => {
        const part = parts?.[i];
        if (a === 'e') {
          if (!item.meta) {
            p.mask = undefined;
            if (p.e) this.core.f32(p.e, p.length).fill(0);
            return;
          }
          ensureMaskBuffers(this.core, p);
        }
        const ptr = a === 'r' ? p.r : a === 'u' ? p.u : p.e;
        const view = this.core.f32(ptr, p.length);
        if (part) view.set(part);
        else view.fill(0);
      });
      if (item.meta) {
        p.mask = item.meta.mask.slice();
        p.maskStep = item.meta.maskStep;
      }
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
