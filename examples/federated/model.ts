/**
 * A two-layer perceptron in plain TypeScript over Float32Arrays: 64 inputs → `hidden` ReLU units →
 * 10-way softmax, trained with the mean cross-entropy loss. Weights are stored [out][in] row-major
 * (the PyTorch `nn.Linear` layout), named 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'.
 * Initialisation is He-uniform (He et al., "Delving Deep into Rectifiers", ICCV 2015) from a seed.
 */
import { CLASSES, FEATURES, rng, type Dataset } from './data.ts';

/** Names of the model's tensors, in the order they are sent. */
export const TENSOR_NAMES = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'] as const;
/** One tensor name of the model. */
export type TensorName = (typeof TENSOR_NAMES)[number];
/** The model's parameters (or a gradient, or an update) by tensor name. */
export type Params = Record<TensorName, Float32Array>;

/** Dense shape of each tensor for a hidden width. */
export function tensorShapes(hidden: number): Record<TensorName, number[]> {
  return { 'fc1.weight': [hidden, FEATURES], 'fc1.bias': [hidden], 'fc2.weight': [CLASSES, hidden], 'fc2.bias': [CLASSES] };
}

/** Zero-filled tensors for a hidden width. */
export function zeros(hidden: number): Params {
  const s = tensorShapes(hidden);
  const z = (name: TensorName): Float32Array => new Float32Array(s[name].reduce((a, b) => a * b, 1));
  return { 'fc1.weight': z('fc1.weight'), 'fc1.bias': z('fc1.bias'), 'fc2.weight': z('fc2.weight'), 'fc2.bias': z('fc2.bias') };
}

/** Hidden width of a parameter set. */
export function hiddenOf(p: Params): number {
  return p['fc1.bias'].length;
}

/** Total number of parameters. */
export function paramCount(p: Params): number {
  return TENSOR_NAMES.reduce((a, name) => a + p[name].length, 0);
}

/** A deep copy. */
export function clone(p: Params): Params {
  const c = zeros(hiddenOf(p));
  for (const name of TENSOR_NAMES) c[name].set(p[name]);
  return c;
}

/** He-uniform weights (bound √(6 / fan_in)), zero biases, from `seed`. */
export function initParams(hidden: number, seed: number): Params {
  if (!Number.isInteger(hidden) || hidden < 1) throw new Error(`hidden must be a positive integer, got ${hidden}`);
  const p = zeros(hidden);
  const random = rng(seed);
  const fill = (w: Float32Array, fanIn: number): void => {
    const bound = Math.sqrt(6 / fanIn);
    for (let i = 0; i < w.length; i++) w[i] = (2 * random() - 1) * bound;
  };
  fill(p['fc1.weight'], FEATURES);
  fill(p['fc2.weight'], hidden);
  return p;
}

/** dst += alpha · src, tensor by tensor. */
export function axpy(dst: Params, alpha: number, src: Params): void {
  for (const name of TENSOR_NAMES) {
    const d = dst[name];
    const s = src[name];
    for (let i = 0; i < d.length; i++) d[i] = d[i]! + alpha * s[i]!;
  }
}

/** a − b as a new parameter set (a model update: local model − global model). */
export function difference(a: Params, b: Params): Params {
  const out = clone(a);
  axpy(out, -1, b);
  return out;
}

/** Forward pass of one example (row `r` of `data`) into `h` (hidden activations) and `prob` (softmax). */
function forward(p: Params, data: Dataset, r: number, h: Float32Array, prob: Float64Array): void {
  const H = h.length;
  const w1 = p['fc1.weight'];
  const b1 = p['fc1.bias'];
  const w2 = p['fc2.weight'];
  const b2 = p['fc2.bias'];
  const x = data.x;
  const xo = r * FEATURES;
  for (let j = 0; j < H; j++) {
    let s = b1[j]!;
    const wo = j * FEATURES;
    for (let i = 0; i < FEATURES; i++) s += w1[wo + i]! * x[xo + i]!;
    h[j] = s > 0 ? s : 0;
  }
  let max = -Infinity;
  for (let c = 0; c < CLASSES; c++) {
    let s = b2[c]!;
    const wo = c * H;
    for (let j = 0; j < H; j++) s += w2[wo + j]! * h[j]!;
    prob[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < CLASSES; c++) {
    prob[c] = Math.exp(prob[c]! - max);
    sum += prob[c]!;
  }
  for (let c = 0; c < CLASSES; c++) prob[c] = prob[c]! / sum;
}

/**
 * Mean cross-entropy over the rows `batch` of `data`, and its gradient written into `grad`
 * (overwritten). Plain backpropagation (Rumelhart et al., 1986).
 */
export function lossAndGrad(p: Params, data: Dataset, batch: ArrayLike<number>, grad: Params): number {
  const H = hiddenOf(p);
  for (const name of TENSOR_NAMES) grad[name].fill(0);
  const h = new Float32Array(H);
  const dh = new Float64Array(H);
  const prob = new Float64Array(CLASSES);
  const w2 = p['fc2.weight'];
  const g1 = grad['fc1.weight'];
  const gb1 = grad['fc1.bias'];
  const g2 = grad['fc2.weight'];
  const gb2 = grad['fc2.bias'];
  const x = data.x;
  const scale = 1 / batch.length;
  let loss = 0;
  for (let b = 0; b < batch.length; b++) {
    const r = batch[b]!;
    forward(p, data, r, h, prob);
    const label = data.y[r]!;
    loss -= Math.log(Math.max(prob[label]!, 1e-12));
    dh.fill(0);
    for (let c = 0; c < CLASSES; c++) {
      const dz = (prob[c]! - (c === label ? 1 : 0)) * scale;
      gb2[c] = gb2[c]! + dz;
      const wo = c * H;
      for (let j = 0; j < H; j++) {
        g2[wo + j] = g2[wo + j]! + dz * h[j]!;
        dh[j] = dh[j]! + dz * w2[wo + j]!;
      }
    }
    const xo = r * FEATURES;
    for (let j = 0; j < H; j++) {
      if (h[j]! <= 0) continue;
      const d = dh[j]!;
      gb1[j] = gb1[j]! + d;
      const wo = j * FEATURES;
      for (let i = 0; i < FEATURES; i++) g1[wo + i] = g1[wo + i]! + d * x[xo + i]!;
    }
  }
  return loss * scale;
}

/** Fraction of `data` classified correctly (argmax of the softmax; ties → lower class). */
export function accuracy(p: Params, data: Dataset): number {
  const h = new Float32Array(hiddenOf(p));
  const prob = new Float64Array(CLASSES);
  let correct = 0;
  for (let r = 0; r < data.n; r++) {
    forward(p, data, r, h, prob);
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (prob[c]! > prob[best]!) best = c;
    if (best === data.y[r]) correct++;
  }
  return correct / data.n;
}
