/**
 * The selection kernel calls of one step on tensor slots (buffers in Wasm memory), with the
 * parameters resolved from the options (ts-api/config.ts): element-wise methods, the joint methods
 * over a group of tensors (global-topk, hybrid), structured methods and learned masks. One copy for
 * the in-thread compressor (ts-api/compressor.ts) and the pool's workers (workers/jobs.ts), so both
 * call the core identically and give the same bits. Every kernel writes acc = s + r over `s`
 * (reading `r` only) and the new residual at the kept positions.
 */
import type { WasmCore } from './backends/wasm/core.ts';
import { runStructuredKernel, takeUnits } from './backends/wasm/structured.ts';
import type { ResolvedParams } from './config.ts';
import { ConfigError, ShapeError } from './errors.ts';
import type { Selected } from './result_codes.ts';
import type { PendingMask, Slot } from './slot.ts';
import { maskKernel } from './step_stages.ts';

/** What a kernel call needs besides the slot. */
export interface KernelContext {
  core: WasmCore;
  /** RNG seed and step (random-k, probabilistic). */
  seed: number;
  step: number;
  /** Learned masks decided in this step (adopted at commit). */
  pendingMasks: Map<string, PendingMask>;
  /** Reports a non-finite accumulation at `index` of the slot (throws). */
  fail(index: number): never;
}

/**
 * Runs the per-tensor kernel of `p` on one slot and returns its selection. `scores`: the caller's
 * mask scores (learned masks); `importance`: head importance scores (heads scored by importance).
 * @throws ConfigError / ShapeError for missing or mismatched importance and refused parameters.
 */
export function selectSlot(
  ctx: KernelContext, sl: Slot, p: ResolvedParams, caller: { scores?: Float32Array; importance?: Float32Array } = {},
): Selected {
  const { core } = ctx;
  const x = core.exports;
  const { s, r, length: n, id, name } = sl;
  let rc: number;
  switch (p.method) {
    case 'topk': rc = x.sg_topk(s, r, n, p.k, 0); break;
    case 'percentile': rc = x.sg_topk(s, r, n, p.k, 1); break;
    case 'threshold': rc = x.sg_threshold(s, r, n, p.threshold); break;
    case 'randomk': rc = x.sg_randomk(s, r, n, p.k, ctx.seed, ctx.step, id, p.rescale ? 1 : 0); break;
    case 'probabilistic': rc = x.sg_probabilistic(s, r, n, p.k, ctx.seed, ctx.step, id); break;
    case 'approx-topk':
      rc = x.sg_approx_topk(s, r, n, p.k, p.sampleSize, p.stride, p.rank, p.tolerance, p.maxIterations);
      break;
    case 'mask': {
      rc = maskKernel(core, sl, p, ctx.step, 0, caller.scores, ctx.pendingMasks, (_j, i) => ctx.fail(i));
      return { name, length: n, ...core.takeResults(0, rc), maskChanged: ctx.pendingMasks.get(name)!.changed };
    }
    case 'structured': {
      let spec = p.spec;
      if (spec.unit === 'head' && spec.score === 'importance') {
        const imp = caller.importance;
        if (!imp) throw new ConfigError(`tensor '${name}': score 'importance' needs setImportance(name, scores) first`);
        if (imp.length !== spec.heads) throw new ShapeError(`tensor '${name}': ${imp.length} importance scores for ${spec.heads} heads`);
        spec = { ...spec, importance: imp };
      }
      rc = runStructuredKernel(core, s, r, n, spec, p.k);
      if (rc === -2) throw new ConfigError(`tensor '${name}': the core refused the ${p.name} parameters`);
      if (rc < 0) ctx.fail(x.sg_error_index());
      return { name, length: n, ...core.takeResults(0, rc), units: takeUnits(core) };
    }
    default:
      throw new ConfigError(`tensor '${name}': method '${p.method}' selects over a group of tensors`);
  }
  if (rc < 0) ctx.fail(x.sg_error_index());
  return { name, length: n, ...core.takeResults(0, rc) };
}

/**
 * Runs a joint kernel over a group of slots — global-topk (one budget K) or hybrid (each member's
 * own k plus a global K) — and returns one selection per member, in order.
 * `fail(member, index)` reports a non-finite accumulation (throws).
 */
export function selectGroup(
  core: WasmCore, method: 'global-topk' | 'hybrid', K: number, members: Array<{ slot: Slot; k: number }>,
  fail: (member: number, index: number) => never,
): Selected[] {
  const x = core.exports;
  const width = method === 'global-topk' ? 4 : 5;
  const table = core.alloc(members.length * width * 4);
  try {
    const t = core.u32(table, members.length * width);
    members.forEach(({ slot, k }, m) => {
      t.set([slot.s, slot.r, slot.length], m * width);
      if (width === 5) t[m * width + 3] = k;
    });
    const rc = method === 'global-topk' ? x.sg_global_topk(table, members.length, K) : x.sg_hybrid(table, members.length, K);
    if (rc < 0) fail(x.sg_error_tensor(), x.sg_error_index());
    const counts = core.u32(table, members.length * width).slice();
    let from = 0;
    return members.map(({ slot }, m) => {
      const count = counts[m * width + width - 1]!;
      const sel = { name: slot.name, length: slot.length, ...core.takeResults(from, count) };
      from += count;
      return sel;
    });
  } finally {
    core.free(table);
  }
}
