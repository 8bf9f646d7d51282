/**
 * A federated client: local SGD from the current global model (FedAvg's ClientUpdate, McMahan et
 * al., AISTATS 2017), then its model update compressed by its own sparsegrad compressor with error
 * feedback (Seide et al., "1-Bit Stochastic Gradient Descent", Interspeech 2014; Stich et al.,
 * "Sparsified SGD with Memory", NeurIPS 2018; the top-k-of-the-accumulated-update scheme of Deep
 * Gradient Compression, Lin et al., ICLR 2018) and encoded as a wire frame (docs/wire-format.md).
 */
import { createCompressor, type Compressor } from '../../ts-api/index.ts';
import type { ValueCodeName } from '../../ts-api/codec/index.ts';
import type { Method } from '../../ts-api/types.ts';
import { mixSeed, rng, shuffle, type Dataset } from './data.ts';
import { clone, difference, lossAndGrad, zeros, hiddenOf, axpy, TENSOR_NAMES, type Params } from './model.ts';

/** Local training schedule of one round. */
export interface LocalTraining {
  /** Local SGD steps per round (E). */
  localSteps: number;
  /** Minibatch size (B). */
  batchSize: number;
  /** Learning rate of local SGD. */
  lr: number;
  /** Run seed; the minibatch order depends on (seed, round, client) only. */
  seed: number;
}

/** Compression settings of a sparse client. */
export interface Compression {
  method: Method;
  /** Fraction of each tensor's elements sent per round. */
  density: number;
  /** Error feedback (carry what was not sent into the next round). */
  errorFeedback: boolean;
  /** Value code of the frame ('f32' exact; 'f16', 'bf16', 'int8', 'ternary' lossy). */
  values: ValueCodeName;
  /** Compressor seed (used by randomized methods). */
  seed: number;
}

/**
 * FedAvg ClientUpdate: E minibatch SGD steps on the client's data, starting from `global`.
 * Minibatches walk a permutation drawn from (seed, round, client), reshuffled when exhausted.
 * Returns the model update Δ = local − global.
 */
export function localUpdate(global: Params, data: Dataset, round: number, clientId: number, o: LocalTraining): Params {
  const local = clone(global);
  const grad = zeros(hiddenOf(global));
  const random = rng(mixSeed(o.seed, round, clientId, 0xc11e));
  const order = Array.from({ length: data.n }, (_, i) => i);
  const B = Math.min(o.batchSize, data.n);
  let pos = data.n;
  const batch = new Uint32Array(B);
  for (let s = 0; s < o.localSteps; s++) {
    for (let b = 0; b < B; b++) {
      if (pos === data.n) {
        shuffle(order, random);
        pos = 0;
      }
      batch[b] = order[pos++]!;
    }
    lossAndGrad(local, data, batch, grad);
    axpy(local, -o.lr, grad);
  }
  return difference(local, global);
}

/** A client that uploads its update as a sparse, encoded frame. Create with {@link SparseClient.create}. */
export class SparseClient {
  /** Client index. */
  readonly id: number;
  /** The client's local data. */
  readonly data: Dataset;
  private readonly compressor: Compressor;

  private constructor(id: number, data: Dataset, compressor: Compressor) {
    this.id = id;
    this.data = data;
    this.compressor = compressor;
  }

  /** A client with its own compressor (own residuals, seeded with `c.seed`). */
  static async create(id: number, data: Dataset, c: Compression, shapes: Record<string, number[]>): Promise<SparseClient> {
    const compressor = await createCompressor({
      method: c.method,
      density: c.density,
      errorFeedback: c.errorFeedback,
      seed: c.seed >>> 0,
      values: c.values,
      index: 'auto',
      tensors: Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, { shape }])),
      ...(c.method === 'hybrid' ? { globalDensity: c.density } : {}),
    });
    return new SparseClient(id, data, compressor);
  }

  /**
   * One round: local training from `global`, compression of the update (with error feedback),
   * encoding as one frame whose step is the round number. With a lossy value code the compressor
   * puts each sent value's quantisation error back into the residual inside the step, so the
   * residual holds exactly what the server has not received.
   */
  upload(global: Params, round: number, training: LocalTraining): Uint8Array {
    const delta = localUpdate(global, this.data, round, this.id, training);
    const result = this.compressor.step(TENSOR_NAMES.map((name) => [name, delta[name]] as [string, Float32Array]), { step: round });
    return this.compressor.encode(result);
  }

  /** Frees the compressor's Wasm buffers. */
  dispose(): void {
    this.compressor.dispose();
  }
}
