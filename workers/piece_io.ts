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

  /** Reads the whole state of tensors (residual, momentum, mask EMA, mask) from their workers. */
  async readStates(ts: TensorEntry[]): Promise<TensorState[]> {
    const got = new Map<PieceEntry, PieceState>();
    await Promise.all([...this.byWorker(ts.flatMap((t) => t.pieces))].map(async ([w, ps]) => {
      const states = await this.pool.slots[w]!.call('readState', (r) => r.readState(ps.map((p) => p.desc)));
      ps.forEach((p, i) => got.set(p, states[i]!));
    }));
    return ts.map((t) => joinPieces(t, got));
  }

  /**
   * Sends `send` to the worker of each group of pieces; workers that fail are replaced from the
   * snapshots (which the caller updated first, so they already hold the new values).
   */
  private async toWorkers(
    pieces: PieceEntry[], send: (slot: Pool['slots'][number], ps: PieceEntry[]) => Promise<void>, what: string,
  ): Promise<void> {
    const failed: number[] = [];
    await Promise.all([...this.byWorker(pieces)].map(async ([w, ps]) => {
      const slot = this.pool.slots[w]!;
      try {
        await send(slot, ps);
        for (const p of ps) slot.known.add(p.desc.key);
      } catch {
        failed.push(w);
      }
    }));
    if (failed.length === 0) return;
    await this.recover(failed);
    if (this.registry.mode === 'none') {
      throw new WorkerError(`worker ${failed[0]} failed while ${what} were written; it was replaced with zero state (snapshots are off)`, failed[0]);
    }
  }

  /** Writes whole states (snapshots first, then the workers). */
  async writeStates(list: Array<{ t: TensorEntry; state: TensorState }>): Promise<void> {
    const shares = new Map<PieceEntry, PieceState>();
    for (const { t, state } of list) for (const p of t.pieces) shares.set(p, pieceShare(p, state));
    for (const [p, st] of shares) this.registry.setCommittedState(p, st);
    await this.toWorkers([...shares.keys()], async (slot, ps) => {
      const items = ps.map((p) => {
        const st = shares.get(p)!;
        const state = stateArrays(this.options, p.desc.name).map((a) => st[a]?.slice() ?? new Float32Array(p.desc.length));
        return { piece: this.registry.descFor(p, slot.known), state, ...(st.meta ? { meta: { ...st.meta, mask: st.meta.mask.slice() } } : {}) };
      });
      await slot.call('restore', (r) => r.restore(Comlink.transfer(items, restoreBuffers(items))));
    }, 'states');
  }

  /** Writes residuals (null: zeros), other state kept: snapshots first, then the workers. */
  async writeTensors(list: Array<{ t: TensorEntry; values: Float32Array | null }>): Promise<void> {
    const pieceValues = new Map<PieceEntry, Float32Array | null>();
    for (const { t, values } of list) {
      for (const p of t.pieces) {
        const part = values ? values.slice(p.desc.offset, p.desc.offset + p.desc.length) : null;
        this.registry.setCommitted(p, part);
        pieceValues.set(p, part);
      }
    }
    await this.toWorkers([...pieceValues.keys()], async (slot, ps) => {
      const items = ps.map((p) => ({ piece: this.registry.descFor(p, slot.known), values: pieceValues.get(p)! }));
      const buffers = items.flatMap((i) => (i.values ? [i.values.buffer as ArrayBuffer] : []));
      await slot.call('write', (r) => r.write(Comlink.transfer(items, buffers)));
    }, 'residuals');
  }
}
