/**
 * The federated server: decodes each client's frame as untrusted input (docs/wire-format.md,
 * "Validation"), checks it against the model, and applies the weighted mean of the dense updates
 * to the global model — FederatedAveraging (McMahan et al., "Communication-Efficient Learning of
 * Deep Networks from Decentralized Data", AISTATS 2017): w ← w + Σ_k (n_k / n) Δ_k.
 */
import { decodeFrame, densify } from '../../ts-api/codec/index.ts';
import { FormatError } from '../../ts-api/errors.ts';
import { axpy, clone, hiddenOf, paramCount, tensorShapes, zeros, TENSOR_NAMES, type Params, type TensorName } from './model.ts';

/** One client's contribution to a round. */
export interface WeightedUpdate {
  /** The client's model update Δ_k (dense). */
  update: Params;
  /** Its FedAvg weight n_k (number of local examples). */
  weight: number;
}

/** One client's upload: an encoded frame and its FedAvg weight. */
export interface FrameUpload {
  clientId: number;
  frame: Uint8Array;
  weight: number;
}

/** The outcome of a round of frame aggregation. */
export interface RoundReport {
  /** Clients whose frames were applied. */
  accepted: number[];
  /** Clients whose frames were rejected, with the reason. */
  rejected: Array<{ clientId: number; reason: string }>;
}

/** A frame that decoded but does not fit the model (wrong names, lengths, shapes or round). */
export class UpdateRejected extends Error {
  override name = 'UpdateRejected';
}

/**
 * Decodes an untrusted frame into a dense update for a model of hidden width `hidden`: the decoder
 * enforces the byte and element limits, the checksum and every field; this function then requires
 * the frame's step to be `round` and every tensor to be one of the model's, with its exact length
 * and (if declared) shape. Tensors absent from the frame are zero updates.
 * @throws FormatError for malformed bytes, UpdateRejected for a well-formed frame that does not fit.
 */
export function decodeUpdate(frame: Uint8Array, hidden: number, round: number): Params {
  const update = zeros(hidden);
  const n = paramCount(update);
  const shapes = tensorShapes(hidden);
  // A dense f32 frame of this model is about 8·n bytes plus headers; anything larger is refused unread.
  const decoded = decodeFrame(frame, { maxBytes: 4096 + 9 * n, maxElements: n });
  if (decoded.step !== round) throw new UpdateRejected(`frame is for step ${decoded.step}, expected round ${round}`);
  for (const t of decoded.tensors) {
    if (!(TENSOR_NAMES as readonly string[]).includes(t.name)) throw new UpdateRejected(`unknown tensor '${t.name}'`);
    const name = t.name as TensorName;
    if (t.length !== update[name].length) throw new UpdateRejected(`tensor '${name}' has length ${t.length}, expected ${update[name].length}`);
    if (t.shape !== undefined && t.shape.join('x') !== shapes[name].join('x')) {
      throw new UpdateRejected(`tensor '${name}' has shape [${t.shape.join(', ')}], expected [${shapes[name].join(', ')}]`);
    }
    update[name].set(densify(t));
  }
  return update;
}

/** Holds the global model and applies FedAvg rounds to it. */
export class FedAvgServer {
  /** The current global model. */
  readonly global: Params;

  constructor(initial: Params) {
    this.global = clone(initial);
  }

  /** Applies the weighted mean of the updates (w ← w + Σ n_k Δ_k / Σ n_k). No updates: no change. */
  applyMean(updates: readonly WeightedUpdate[]): void {
    const total = updates.reduce((a, u) => a + u.weight, 0);
    if (!(total > 0)) return;
    const mean = zeros(hiddenOf(this.global));
    for (const u of updates) axpy(mean, u.weight / total, u.update);
    axpy(this.global, 1, mean);
  }

  /**
   * Decodes every frame (rejecting, not throwing on, malformed or mismatched ones), then applies the
   * weighted mean of the accepted updates.
   */
  aggregateFrames(uploads: readonly FrameUpload[], round: number): RoundReport {
    const report: RoundReport = { accepted: [], rejected: [] };
    const updates: WeightedUpdate[] = [];
    for (const u of uploads) {
      try {
        updates.push({ update: decodeUpdate(u.frame, hiddenOf(this.global), round), weight: u.weight });
        report.accepted.push(u.clientId);
      } catch (e) {
        if (!(e instanceof FormatError || e instanceof UpdateRejected)) throw e;
        report.rejected.push({ clientId: u.clientId, reason: `${e.name}: ${e.message}` });
      }
    }
    this.applyMean(updates);
    return report;
  }
}
