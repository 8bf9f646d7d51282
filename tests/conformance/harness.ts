/**
 * Runs one multi-step scenario on the Wasm SIMD build, the Wasm scalar build and the TypeScript
 * reference, and asserts bit-exact equality of indices, sent values and residuals.
 */
import assert from 'node:assert/strict';
import { createCompressor, type CompressorOptions } from '../../ts-api/index.ts';
import { referenceStep, type ReferenceStepInput } from '../../ts-api/reference/error_feedback.ts';

/** Bit patterns of an f32 array, so that -0 / +0 and NaN payloads compare exactly. */
export function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** One scenario: tensors per step (same names and lengths every step). */
export interface Scenario {
  options: CompressorOptions;
  reference: ReferenceStepInput['params'];
  steps: Array<Array<[string, Float32Array]>>;
}

/** Asserts that simd, scalar and reference agree on every step. Returns the reference results. */
export async function assertConformance(sc: Scenario, label: string): Promise<void> {
  const builds = await Promise.all([true, false].map((simd) => createCompressor({ ...sc.options, simd })));
  let residuals = new Map<string, Float32Array>();
  const ef = sc.options.errorFeedback ?? true;
  for (let st = 0; st < sc.steps.length; st++) {
    const tensors = sc.steps[st]!;
    const ref = referenceStep({
      gradients: tensors.map(([name, values]) => ({ name, values })),
      residuals, params: sc.reference, seed: sc.options.seed ?? 0, step: st, errorFeedback: ef,
    });
    residuals = ref.residuals;
    for (const [b, c] of builds.entries()) {
      const out = c.step(tensors);
      const where = `${label} step ${st} build ${b === 0 ? 'simd' : 'scalar'}`;
      out.tensors.forEach((t, j) => {
        const want = ref.selections[j]!;
        assert.deepEqual(t.indices, want.indices, `${where} tensor ${t.name}: indices`);
        assert.deepEqual(bits(t.values), bits(want.values), `${where} tensor ${t.name}: values`);
        if (ef) assert.deepEqual(bits(c.getResidual(t.name)), bits(residuals.get(t.name)!), `${where} tensor ${t.name}: residual`);
      });
    }
  }
  for (const c of builds) c.dispose();
}
