/**
 * The coordinator's map of tensors to workers, and its copy of every piece's last committed
 * residual (the snapshot a replacement worker restores from).
 *
 * Assignment is stable: a tensor name is placed once, when first seen, and keeps its worker(s), so
 * its residual never moves and a step ships no state. A whole tensor goes to the worker with the
 * fewest elements so far; a tensor of at least `splitAbove` elements whose method has an exact
 * merge (topk, threshold, percentile, global-topk, hybrid — see workers/merge.ts) is cut into one
 * contiguous chunk per worker. Random-k, probabilistic and approx-topk tensors are never split:
 * their selections depend on whole-tensor quantities (the RNG index space, sums, a strided sample).
 *
 * Snapshots: a piece's state is its state arrays (residual; momentum with DGC momentum
 * correction; mask EMA for learned masks — workers/piece_state.ts) and, for learned masks, its mask.
 * In 'shared' mode each piece has a SharedArrayBuffer with two slots of its arrays back to back; the
 * worker writes the new state into the slot that is not the committed one while it commits, and the
 * coordinator flips `cur` only once every worker of the step has committed — so the committed slot
 * always holds the state after the last step that succeeded everywhere. In 'copy' mode (no
 * SharedArrayBuffer) the worker transfers a copy back with its commit; in 'memory' mode it posts
 * views of its own shared Wasm memory instead (workers/shared_core.ts), adopted the same way. Masks
 * always come back as small copies.
 */
import { isU32 } from '../ts-api/codec/bytes.ts';
import { ShapeError } from '../ts-api/errors.ts';
import { tensorOptions, type CompressorOptions } from '../ts-api/config.ts';
import type { MaskMeta, PieceDesc, PieceRestore, PieceState, Published, SnapshotMode } from './protocol.ts';
import { stateArrays } from './piece_state.ts';
import { keepsArrays } from './shared_core.ts';

/** One piece as the coordinator tracks it. */
export interface PieceEntry {
  /** The piece (without its snapshot buffer). */
  desc: PieceDesc;
  /** Index of the worker that owns it. */
  worker: number;
  /** 'shared' mode: both slots, and which one is committed. */
  shared?: { buffer: SharedArrayBuffer; view: Float32Array; cur: number };
  /**
   * 'copy' and 'memory' modes: the committed state arrays — copies, or views of the worker's
   * shared memory (workers/shared_core.ts) — (undefined: zeros).
   */
  copy?: Float32Array[];
  /** Number of state arrays (residual, momentum, mask EMA). */
  width: number;
  /** Learned masks: the committed mask (undefined: none yet). */
  meta?: MaskMeta;
  /**
   * Shared-memory workers: the worker's memory and the address of the piece's next input buffer,
   * as of the last step that committed everywhere (undefined: unknown — the pool copies instead).
   */
  input?: { memory: SharedArrayBuffer; ptr: number };
}

/** One tensor: its length and pieces in offset order. */
export interface TensorEntry {
  name: string;
  length: number;
  pieces: PieceEntry[];
}

const SPLITTABLE = new Set(['topk', 'threshold', 'percentile', 'global-topk', 'hybrid']);
/** Chunks start at multiples of this many elements. */
const CHUNK_ALIGN = 1024;

/** Tensors, their placement and their committed snapshots. */
export class Registry {
  /** In first-seen order (the order saveState writes). */
  readonly tensors = new Map<string, TensorEntry>();
  private readonly load: number[];

  constructor(
    private readonly size: number,
    private readonly options: CompressorOptions,
    private readonly splitAbove: number,
    readonly mode: SnapshotMode,
  ) {
    this.load = new Array<number>(size).fill(0);
  }

  /** Tensor names in first-seen order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  get(name: string): TensorEntry | undefined {
    return this.tensors.get(name);
  }

  /** Whether a tensor of this name and length would be split. */
  splits(name: string, length: number): boolean {
    return this.size > 1 && length >= this.splitAbove && length >= 2 * CHUNK_ALIGN &&
      SPLITTABLE.has(tensorOptions(this.options, name).method);
  }

  private leastLoaded(): number {
    let best = 0;
    for (let w = 1; w < this.size; w++) if (this.load[w]! < this.load[best]!) best = w;
    return best;
  }

  private piece(name: string, offset: number, length: number, total: number, worker: number, key: string): PieceEntry {
    const width = stateArrays(this.options, name).length;
    const p: PieceEntry = { desc: { key, name, offset, length, total }, worker, width };
    if (this.mode === 'shared') {
      const buffer = new SharedArrayBuffer(2 * width * length * 4);
      p.shared = { buffer, view: new Float32Array(buffer), cur: 0 };
    }
    this.load[worker]! += length;
    return p;
  }

  /** Places a new tensor (validating its name and length as the in-thread compressor does). */
  register(name: string, length: number): TensorEntry {
    if (typeof name !== 'string' || name.length === 0) throw new ShapeError('tensor names must be non-empty strings');
    if (!isU32(length)) {
      throw new ShapeError(`tensor '${name}': length must be an integer in [0, 2^32), got ${String(length)}`);
    }
    const pieces: PieceEntry[] = [];
    if (this.splits(name, length)) {
      const chunk = Math.ceil(length / this.size / CHUNK_ALIGN) * CHUNK_ALIGN;
      const first = this.leastLoaded();
      for (let c = 0, off = 0; off < length; c++, off += chunk) {
        const len = Math.min(chunk, length - off);
        pieces.push(this.piece(name, off, len, length, (first + c) % this.size, `${name}@${off}`));
      }
    } else {
      pieces.push(this.piece(name, 0, length, length, this.leastLoaded(), name));
    }
    const t = { name, length, pieces };
    this.tensors.set(name, t);
    return t;
  }

  /** Forgets a tensor (dropped after a failed step that created it). */
  unregister(name: string): void {
    const t = this.tensors.get(name);
    if (!t) return;
    for (const p of t.pieces) this.load[p.worker]! -= p.desc.length;
    this.tensors.delete(name);
  }

  /** Every piece owned by worker `w`. */
  piecesOn(w: number): PieceEntry[] {
    return [...this.tensors.values()].flatMap((t) => t.pieces.filter((p) => p.worker === w));
  }

  /** The piece's descriptor for a worker, with its snapshot buffer unless the worker already has it. */
  descFor(p: PieceEntry, known: Set<string>): PieceDesc {
    if (!p.shared || known.has(p.desc.key)) return p.desc;
    return { ...p.desc, snapshot: p.shared.buffer };
  }

  /** The committed state arrays of a piece (views in 'shared' and 'memory' modes; undefined in 'none' mode). */
  private committedParts(p: PieceEntry): Float32Array[] | undefined {
    const n = p.desc.length;
    if (p.shared) {
      const base = p.shared.cur * p.width * n;
      return Array.from({ length: p.width }, (_, i) => p.shared!.view.subarray(base + i * n, base + (i + 1) * n));
    }
    if (keepsArrays(this.mode)) return p.copy ?? Array.from({ length: p.width }, () => new Float32Array(n));
    return undefined;
  }

  /**
   * How a replacement worker restores a piece from its committed snapshot (undefined in 'none'
   * mode). In 'memory' mode the snapshot becomes coordinator copies, so a dead worker's memory is
   * released now.
   */
  restoreOf(p: PieceEntry, desc: PieceDesc): PieceRestore | undefined {
    const meta = p.meta ? { meta: { mask: p.meta.mask.slice(), maskStep: p.meta.maskStep } } : {};
    if (p.shared) return { piece: desc, slot: p.shared.cur, ...meta };
    const parts = this.committedParts(p);
    if (!parts) return undefined;
    if (this.mode === 'memory') p.copy = parts.map((a) => a.slice());
    return { piece: desc, state: parts.map((a) => a.slice()), ...meta };
  }

  /** Overwrites the committed residual of a piece (setResidual, reset); other state is kept. */
  setCommitted(p: PieceEntry, values: Float32Array | null): void {
    const parts = this.committedParts(p);
    if (!parts) return;
    const n = p.desc.length;
    if (p.shared) {
      if (values) parts[0]!.set(values);
      else parts[0]!.fill(0);
      return;
    }
    // Copies replace views: the coordinator never writes into a worker's memory.
    p.copy = parts.map((a, i) => (i > 0 ? a.slice() : values ? values.slice() : new Float32Array(n)));
  }

  /** Overwrites the whole committed state of a piece (restoreState); absent arrays are zeros. */
  setCommittedState(p: PieceEntry, state: PieceState): void {
    const parts = this.committedParts(p);
    if (!parts) return;
    const n = p.desc.length;
    const names = stateArrays(this.options, p.desc.name);
    if (p.shared) {
      names.forEach((a, i) => (state[a] ? parts[i]!.set(state[a]) : parts[i]!.fill(0)));
    } else {
      p.copy = names.map((a) => state[a]?.slice() ?? new Float32Array(n));
    }
    p.meta = state.meta ? { mask: state.meta.mask.slice(), maskStep: state.meta.maskStep } : undefined;
  }

  /** Forgets where every piece's next input goes (after a failed step, a recovery: buffers may have moved). */
  clearInputs(): void {
    for (const t of this.tensors.values()) for (const p of t.pieces) p.input = undefined;
  }

  /** The slot a piece's next commit publishes into. */
  nextSlot(p: PieceEntry): number {
    return p.shared ? 1 - p.shared.cur : 0;
  }

  /**
   * Adopts what its worker's commit published for a piece after the step committed everywhere:
   * its snapshot, its mask, and where its next input goes.
   */
  adopt(p: PieceEntry, pub: Published): void {
    const key = p.desc.key;
    const copy = pub.copies?.[key];
    if (p.shared) p.shared.cur = 1 - p.shared.cur;
    else if (keepsArrays(this.mode) && copy) p.copy = copy;
    const meta = pub.metas?.[key];
    if (meta !== undefined) p.meta = meta ?? undefined;
    const ptr = pub.inputs?.[key];
    p.input = pub.memory && ptr !== undefined ? { memory: pub.memory, ptr } : undefined;
  }
}
