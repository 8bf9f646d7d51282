/**
 * A federated client: local SGD from the current global model (FedAvg's ClientUpdate, McMahan et
 * al., AISTATS 2017), then its model update compressed by its own sparsegrad compressor with error
 * feedback (Seide et al., "1-Bit Stochastic Gradient Descent", Interspeech 2014; Stich et al.,
 * "Sparsified SGD with Memory", NeurIPS 2018; the top-k-of-the-accumulated-update scheme of Deep
 * Gradient Compression, Lin et al., ICLR 2018) and encoded as a wire frame (docs/wire-format.md).
 */
import { createCompressor, type Compressor } from '../../ts-api/index.ts';
import { encodeFrame, quantizeValues, type ValueCodeName } from '../../ts-api/codec/index.ts';
import type { Method } from '../../ts-api/types.ts';
import { mixSeed, rng, shuffle, type Dataset } from './data.ts';
import { clone, difference, lossAndGrad, tensorShapes, zeros, hiddenOf, axpy, TENSOR_NAMES, type Params } from './model.ts';

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
  private readonly c: Compression;

  private constructor(id: number, data: Dataset, compressor: Compressor, c: Compression) {
    this.id = id;
    this.data = data;
    this.compressor = compressor;
    this.c = c;
  }

  /** A client with its own compressor (own residuals, seeded with `c.seed`). */
  static async create(id: number, data: Dataset, c: Compression): Promise<SparseClient> {
    const compressor = await createCompressor({
      method: c.method,
      density: c.density,
      errorFeedback: c.errorFeedback,
      seed: c.seed >>> 0,
      ...(c.method === 'hybrid' ? { globalDensity: c.density } : {}),
    });
    return new SparseClient(id, data, compressor, c);
  }

  /**
   * One round: local training from `global`, compression of the update (with error feedback),
   * encoding as one frame whose step is the round number. With a lossy value code and error
   * feedback, the quantisation error of each sent value goes back into the residual too, so the
   * residual holds exactly what the server has not received.
   */
  upload(global: Params, round: number, training: LocalTraining): Uint8Array {
    const delta = localUpdate(global, this.data, round, this.id, training);
    const result = this.compressor.step(TENSOR_NAMES.map((name) => [name, delta[name]] as [string, Float32Array]), { step: round });
    const shapes = tensorShapes(hiddenOf(global));
    if (this.c.errorFeedback && this.c.values !== 'f32') {
      for (const t of result.tensors) {
        const q = quantizeValues(t.values, this.c.values);
        const r = this.compressor.getResidual(t.name);
        for (let j = 0; j < t.indices.length; j++) r[t.indices[j]!] = r[t.indices[j]!]! + (t.values[j]! - q[j]!);
        this.compressor.setResidual(t.name, r);
      }
    }
    return encodeFrame(
      {
        step: round,
        tensors: result.tensors.map((t) => ({ ...t, method: this.c.method, shape: shapes[t.name as keyof typeof shapes] })),
      },
      { indexCode: 'auto', valueCode: this.c.values },
    );
  }

  /** Frees the compressor's Wasm buffers. */
  dispose(): void {
    this.compressor.dispose();
  }
}
