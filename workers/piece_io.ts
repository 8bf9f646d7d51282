/**
 * Moving state between the coordinator and the workers of a pool: reading residuals and whole
 * piece states (residual, momentum, mask EMA, mask) from the workers that own them, writing them
 * (the coordinator's snapshots first, so a worker that dies meanwhile is restored with the new
 * values), and replacing dead workers from the committed snapshots (workers/registry.ts).
 */
import * as Comlink from 'comlink';
import type { CompressorOptions } from '../ts-api/config.ts';
import { stateArrays } from './piece_state.ts';
import { WorkerError, type Pool } from './pool.ts';
import type { PieceRestore, PieceState } from './protocol.ts';
import type { PieceEntry, Registry, TensorEntry } from './registry.ts';
import { joinPieces, pieceShare, type TensorState } from './state_io.ts';

/** The buffers of restore items, to transfer (each array owns a fresh buffer). */
function restoreBuffers(items: PieceRestore[]): ArrayBuffer[] {
  return items.flatMap((i) => [...(i.state ?? []), ...(i.meta ? [i.meta.mask] : [])].map((a) => a.buffer as ArrayBuffer));
}

/** State transport of one pool. */
export class PieceIO {
  constructor(
    private readonly pool: Pool,
    private readonly registry: Registry,
    private readonly options: Readonly<CompressorOptions>,
  ) {}

  /** Replaces workers and restores their pieces from the committed snapshots; returns the number of pieces. */
  async recover(workers: number[]): Promise<number> {
    this.registry.clearInputs();
    const counts = await Promise.all(workers.map(async (w) => {
      const slot = await this.pool.replace(w);
      const pieces = this.registry.piecesOn(w);
      const items = pieces.flatMap((p) => this.registry.restoreOf(p, this.registry.descFor(p, slot.known)) ?? []);
      if (items.length > 0) {
        await slot.call('restore', (r) => r.restore(Comlink.transfer(items, restoreBuffers(items))));
      }
      for (const p of pieces) slot.known.add(p.desc.key);
      return pieces.length;
    }));
    return counts.reduce((a, b) => a + b, 0);
  }

  byWorker(pieces: PieceEntry[]): Map<number, PieceEntry[]> {
    const m = new Map<number, PieceEntry[]>();
    for (const p of pieces) {
      let l = m.get(p.worker);
      if (!l) m.set(p.worker, (l = []));
      l.push(p);
    }
    return m;
  }

  /** Reads the residuals of tensors from their workers (in order). */
  async readTensors(ts: TensorEntry[]): Promise<Float32Array[]> {
    const got = new Map<PieceEntry, Float32Array>();
    await Promise.all([...this.byWorker(ts.flatMap((t) => t.pieces))].map(async ([w, ps]) => {
      const arrays = await this.pool.slots[w]!.call('read', (r) => r.read(ps.map((p) => p.desc)));
      ps.forEach((p, i) => got.set(p, arrays[i]!));
    }));
    return ts.map((t) => {
      if (t.pieces.length === 1) return got.get(t.pieces[0]!)!;
      const out = new Float32Array(t.length);
      for (const p of t.pieces) out.set(got.get(p)!, p.desc.offset);
      return out;
    });
  }

  /** Reads the whole state of tensors (residual, momentum, mask EMA, mask) from their workers. */
  async readStates(ts: TensorEntry[]): Promise<TensorState[]> {
    const got = new Map<PieceEntry, PieceState>();
    await Promise.all([...this.byWorker(ts.flatMap((t) => t.pieces))].map(async ([w, ps]) => {
      const states = await this.pool.slots[w]!.call('readState', (r) => r.readState(ps.map((p) => p.desc)));
      ps.forEach((p, i) => got.set(p, states[i]!));
    }));
    return ts.map((t) => joinPieces(t, got));
  }

  /** Writes whole states (snapshots first, then the workers; a worker that dies meanwhile is restored from them). */
  async writeStates(list: Array<{ t: TensorEntry; state: TensorState }>): Promise<void> {
    const shares = new Map<PieceEntry, PieceState>();
    for (const { t, state } of list) for (const p of t.pieces) shares.set(p, pieceShare(p, state));
    for (const [p, st] of shares) this.registry.setCommittedState(p, st);
    const failed: number[] = [];
    await Promise.all([...this.byWorker([...shares.keys()])].map(async ([w, ps]) => {
      const slot = this.pool.slots[w]!;
      const items = ps.map((p) => {
        const st = shares.get(p)!;
        const state = stateArrays(this.options, p.desc.name).map((a) => st[a]?.slice() ?? new Float32Array(p.desc.length));
        return { piece: this.registry.descFor(p, slot.known), state, ...(st.meta ? { meta: { ...st.meta, mask: st.meta.mask.slice() } } : {}) };
      });
      try {
        await slot.call('restore', (r) => r.restore(Comlink.transfer(items, restoreBuffers(items))));
        for (const i of items) slot.known.add(i.piece.key);
      } catch {
        failed.push(w);
      }
    }));
    if (failed.length === 0) return;
    await this.recover(failed);
    if (this.registry.mode === 'none') throw new WorkerError(`worker ${failed[0]} failed while state was written; it was replaced with zero state (snapshots are off)`, failed[0]);
  }

  /**
   * Writes residuals (null: zeros) to the snapshots first, then to the workers: a worker that dies
   * meanwhile is replaced from the snapshots, which already hold the new values.
   */
  async writeTensors(list: Array<{ t: TensorEntry; values: Float32Array | null }>): Promise<void> {
    for (const { t, values } of list) {
      for (const p of t.pieces) this.registry.setCommitted(p, values ? values.subarray(p.desc.offset, p.desc.offset + p.desc.length) : null);
    }
    const failed: number[] = [];
    const pieceValues = new Map<PieceEntry, Float32Array | null>();
    for (const { t, values } of list) for (const p of t.pieces) pieceValues.set(p, values);
    await Promise.all([...this.byWorker([...pieceValues.keys()])].map(async ([w, ps]) => {
      const slot = this.pool.slots[w]!;
      const zero = ps.filter((p) => pieceValues.get(p) === null);
      const items = ps.filter((p) => pieceValues.get(p) !== null).map((p) => ({
        piece: this.registry.descFor(p, slot.known),
        values: pieceValues.get(p)!.slice(p.desc.offset, p.desc.offset + p.desc.length),
      }));
      try {
        if (items.length > 0) await slot.call('write', (r) => r.write(Comlink.transfer(items, items.map((i) => i.values.buffer as ArrayBuffer))));
        if (zero.length > 0) await slot.call('reset', (r) => r.reset(zero.map((p) => p.desc)));
        for (const i of items) slot.known.add(i.piece.key);
      } catch {
        failed.push(w);
      }
    }));
    if (failed.length === 0) return;
    await this.recover(failed);
    if (this.registry.mode === 'none') throw new WorkerError(`worker ${failed[0]} failed while residuals were written; it was replaced with zero residuals (snapshots are off)`, failed[0]);
  }
}
