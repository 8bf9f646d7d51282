/**
 * The worker side of held merges (workers/held.ts): a held piece keeps its candidates — its top-k
 * by magnitude with their accumulated values, error feedback applied as if all were sent — until
 * the coordinator's cut. These functions answer the coordinator with a new selection with more
 * candidates, and apply the cut itself (the bucket's keys: `bucketKeys` of workers/merge.ts).
 */
import type { WasmCore } from '../ts-api/backends/wasm/core.ts';
import { SparsegradError } from '../ts-api/errors.ts';
import type { Piece } from './jobs.ts';
import type { CutSpec, SelectionOut } from './protocol.ts';

const internal = (message: string) => new SparsegradError('E_INTERNAL', message);

/**
 * Selects again with `k` candidates: restores the accumulated value at the old candidates (where
 * the kernel put the new residual, 0), selects on acc alone (no residual added again), and applies
 * error feedback as the first selection would have — the piece's state then equals a first
 * selection with `k`.
 */
export function selectAgain(core: WasmCore, ef: boolean, p: Piece, sel: SelectionOut, k: number, keepTies: boolean): SelectionOut {
  if (ef) {
    const v = core.f32(p.s, p.length);
    for (let j = 0; j < sel.indices.length; j++) v[sel.indices[j]!] = sel.values[j]!;
  }
  const rc = core.exports.sg_topk(p.s, 0, p.length, k, keepTies ? 1 : 0);
  if (rc < 0) throw internal(`piece '${p.key}': selecting again failed`);
  const again = core.takeResults(0, rc);
  if (ef) {
    const v = core.f32(p.s, p.length);
    for (let j = 0; j < again.indices.length; j++) v[again.indices[j]!] = 0;
  }
  return again;
}

/**
 * Keeps a held piece's candidates with key > T and the first `ties` with key == T (tensor
 * indices), and restores the accumulated value of the others into the new residual.
 */
export function applyCut(core: WasmCore, ef: boolean, p: Piece, sel: SelectionOut, cut: CutSpec): SelectionOut {
  const { T, kept } = cut;
  const bits = new Uint32Array(sel.values.buffer, sel.values.byteOffset, sel.values.length);
  const n = bits.length;
  if (!(kept >= 0 && kept <= n)) throw internal(`cut of piece '${p.key}' keeps ${kept} of ${n} candidates`);
  const out = { indices: new Uint32Array(kept), values: new Float32Array(kept) };
  const r = ef ? core.f32(p.s, p.length) : null;
  const { indices, values } = sel;
  const offset = p.offset;
  let t = cut.ties;
  let a = 0;
  for (let j = 0; j < n; j++) {
    const k = bits[j]! & 0x7fffffff;
    if (k > T || (k === T && t-- > 0)) {
      if (a === kept) throw internal(`cut of piece '${p.key}' keeps more than ${kept} candidates`);
      out.indices[a] = indices[j]! + offset;
      out.values[a++] = values[j]!;
    } else if (r) {
      r[indices[j]!] = values[j]!;
    }
  }
  if (a !== kept) throw internal(`cut of piece '${p.key}' keeps ${a} candidates, not ${kept}`);
  return out;
}
