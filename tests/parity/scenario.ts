/**
 * The golden parity scenario, run unchanged in every runtime (Node main thread and worker pool,
 * the scalar build, Deno, Chromium, Firefox ESR, WebKitGTK, browser module workers): several tensors
 * with every selection method and error feedback, DGC momentum correction and clipping, a lossy
 * value code folded into the residual, structured methods (blocks, channels, heads, N:M) and a
 * learned mask, 6 steps of seeded inputs (with ties), each step's result encoded with encodeFrame
 * using every value code (f32, f16, bf16, int8, ternary) and several index codes, rotating over
 * tensors and steps (structured and mask tensors with their unit sections). A runtime reports one line:
 *
 *   <runtime> <sha256 of all frames> <sha256 of the final residuals>
 *
 * and every line must agree. Runtime-neutral: no Node or DOM APIs.
 */
import { encodeFrame, decodeFrame, VALUE_CODE_NAMES, type EncodeTensor } from '../../ts-api/codec/index.ts';
import type { CompressorOptions } from '../../ts-api/config.ts';
import type { StepResult } from '../../ts-api/types.ts';
import { encodeTensorOf } from '../../ts-api/wire_units.ts';
import { Sha256 } from './sha256.ts';

/** The compressor options of the scenario. */
export const SCENARIO_OPTIONS: CompressorOptions = {
  method: 'topk', density: 0.02, seed: 20240601, globalDensity: 0.01, errorFeedback: true, momentum: 0.9, clipNorm: 400, workers: 2,
  tensors: {
    'blk.w': { method: 'block', block: 4, score: 'l2', density: 0.1, shape: [64, 80] },
    'ch.w': { method: 'channel', density: 0.25, shape: [16, 4, 3, 3] },
    'att.w': { method: 'head', heads: 4, k: 2, shape: [32, 64] },
    'nm.w': { method: 'nm', nm: [2, 4], shape: [32, 64] },
    'mask.w': { method: 'mask', density: 0.05, maskEvery: 2 },
    'q.w': { method: 'topk', density: 0.03, values: 'int8' },
    'fc.bias': { method: 'threshold', threshold: 1.25 },
    'embed.weight': { method: 'randomk', density: 0.05, rescale: true },
    'attn.out': { method: 'threshold', density: 0.03 },
    'norm.scale': { method: 'probabilistic', density: 0.04 },
    'head.weight': { method: 'approx-topk', density: 0.02 },
    'g.*': { method: 'global-topk', density: 0.015 },
    'h.*': { method: 'hybrid', density: 0.01 },
  },
};

/** Tensor sizes (elements), in step order. */
export const SCENARIO_SIZES: Readonly<Record<string, number>> = {
  'conv.weight': 48_000, 'fc.bias': 5_000, 'embed.weight': 40_000, 'attn.out': 36_000, 'norm.scale': 3_000,
  'head.weight': 24_000, 'g.a': 30_000, 'g.b': 9_000, 'h.a': 28_000, 'h.b': 7_000,
  'blk.w': 5_120, 'ch.w': 576, 'att.w': 2_048, 'nm.w': 2_048, 'mask.w': 4_000, 'q.w': 26_000,
};

/** Tensor shapes written into the frames (rank 2, so that every index code, csr included, applies). */
export const SCENARIO_SHAPES: Readonly<Record<string, [number, number] | undefined>> = {
  'conv.weight': [240, 200], 'fc.bias': [50, 100], 'embed.weight': [400, 100], 'attn.out': [180, 200], 'norm.scale': [30, 100],
  'head.weight': [120, 200], 'g.a': [150, 200], 'g.b': [90, 100], 'h.a': [140, 200], 'h.b': [70, 100],
  'q.w': [130, 200],
};

/** Steps run. */
export const SCENARIO_STEPS = 6;

/** The pool options of the worker-pool lines: two workers, tensors of 20 000+ elements split. */
export const SCENARIO_POOL = { size: 2, splitAbove: 20_000 };

const INDEX_CODES = ['auto', 'coo', 'varint', 'rice', 'bitmap', 'rle', 'csr'] as const;

/** The minimal compressor surface the scenario needs (in-thread or worker pool). */
export interface ScenarioCompressor {
  step(tensors: Record<string, Float32Array>, options?: { step?: number }): StepResult | Promise<StepResult>;
  getResidual(name: string): Float32Array | Promise<Float32Array>;
  tensorNames(): string[];
}

/** Seeded input of one tensor at one step: xorshift32 uniforms in [-2, 2), every 5th element rounded (ties). */
export function scenarioTensor(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let x = (Math.imul(seed + 1, 2654435761) >>> 0) || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const u = (x >>> 8) / 16777216;
    a[i] = i % 5 === 0 ? Math.round(u * 8 - 4) / 2 : u * 4 - 2;
  }
  return a;
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Runs the scenario on a compressor; returns `<frames sha256> <residuals sha256>`. */
export async function runScenario(c: ScenarioCompressor): Promise<string> {
  const frames = new Sha256();
  const names = Object.keys(SCENARIO_SIZES);
  const receiver = { masks: new Map<string, Uint32Array>() };
  for (let s = 0; s < SCENARIO_STEPS; s++) {
    const input: Record<string, Float32Array> = {};
    names.forEach((name, j) => (input[name] = scenarioTensor(SCENARIO_SIZES[name]!, s * 1000 + j)));
    const result = await c.step(input);
    const tensors = result.tensors.map((t, j): EncodeTensor => {
      const valueCode = VALUE_CODE_NAMES[(j + s) % VALUE_CODE_NAMES.length]!;
      const shape = SCENARIO_SHAPES[t.name];
      // Structured and mask results keep their own shape and unit geometry (encodeTensorOf).
      if (shape === undefined) return encodeTensorOf({ ...t, valueCode });
      return { ...t, shape, valueCode, indexCode: INDEX_CODES[(2 * j + s) % INDEX_CODES.length]! } as EncodeTensor;
    });
    const frame = encodeFrame({ step: result.step, tensors });
    const decoded = decodeFrame(frame, {}, receiver);
    if (decoded.tensors.length !== names.length) throw new Error(`step ${s}: frame decodes to ${decoded.tensors.length} tensors`);
    frames.update(frame);
  }
  const residuals = new Sha256();
  for (const name of c.tensorNames()) residuals.update(bytesOf(await c.getResidual(name)));
  return `${frames.hex()} ${residuals.hex()}`;
}
