/** Tests of referenceStep (docs/selection.md, "Error feedback (all methods)"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, NonFiniteError, ShapeError } from '../../ts-api/errors.ts';
import {
  type NamedGradient,
  type ReferenceMethodParams,
  type ReferenceStepInput,
  type ReferenceStepResult,
  fnv1a32,
  referenceStep,
} from '../../ts-api/reference/index.ts';
import type { Method, Selection } from '../../ts-api/types.ts';
import { asciiBytes, assertSelection, f32a, firstKByRepeatedMax, fnvBig, show, wordBig } from './independent.ts';

/** One tensor named `name`. */
function one(values: Float32Array, name = 'w'): NamedGradient[] {
  return [{ name, values }];
}

/** A step with seed 0 and step 0 unless `extra` says otherwise. */
function run(
  gradients: readonly NamedGradient[],
  params: ReferenceStepInput['params'],
  extra: Partial<ReferenceStepInput> = {},
): ReferenceStepResult {
  return referenceStep({ gradients, params, seed: 0, step: 0, ...extra });
}

/** A residual as comparable values (-0 shown as '-0'). */
function residualOf(out: ReferenceStepResult, name = 'w'): (number | string)[] {
  return show(out.residuals.get(name) ?? []);
}

function snapshot(m: ReadonlyMap<string, Float32Array>): [string, (number | string)[]][] {
  return [...m].map(([name, r]) => [name, show(r)]);
}

describe('referenceStep: error feedback', () => {
  it('conserves what is dropped: three hand-computed top-1 steps', () => {
    // Step 0: g = [1, 2, 3] -> acc = [1, 2, 3], send index 2 (3), r = [1, 2, 0].
    // Step 1: g = [1, 0.5, 1] -> acc = [2, 2.5, 1], send index 1 (2.5), r = [2, 0, 1].
    // Step 2: g = [0, 0, 0] -> acc = [2, 0, 1], send index 0 (2), r = [0, 0, 1].
    // Σ sent + r = [2, 2.5, 4] = Σ g.
    const gradients = [f32a(1, 2, 3), f32a(1, 0.5, 1), f32a(0, 0, 0)];
    const sent: Selection[] = [];
    let residuals = new Map<string, Float32Array>();
    gradients.forEach((g, step) => {
      const out = run(one(g), { method: 'topk', k: 1 }, { residuals, step });
      sent.push(out.selections[0]);
      residuals = out.residuals;
    });
    assertSelection(sent[0], [2], [3]);
    assertSelection(sent[1], [1], [2.5]);
    assertSelection(sent[2], [0], [2]);
    assert.deepEqual(show(residuals.get('w') ?? []), [0, 0, 1]);
  });

  it('the residual at a sent position is +0, and acc = g + (+0) turns a -0 gradient into +0', () => {
    const out = run(one(f32a(-0, 1)), { method: 'topk', k: 2 });
    assertSelection(out.selections[0], [0, 1], [0, 1]); // acc[0] = -0 + +0 = +0
    assert.deepEqual(residualOf(out), [0, 0]);
    const off = run(one(f32a(-0, 1)), { method: 'topk', k: 2 }, { errorFeedback: false });
    assertSelection(off.selections[0], [0, 1], [-0, 1]); // acc = g
  });

  it('without error feedback: acc = g, residuals ignored, no residual kept', () => {
    const residuals = new Map([['w', f32a(100, 100)]]);
    const out = run(one(f32a(1, 2)), { method: 'topk', k: 1 }, { residuals, errorFeedback: false });
    assertSelection(out.selections[0], [1], [2]);
    assert.equal(out.residuals.size, 0);
    // A residual of the wrong length, whose sum would overflow, is ignored too.
    const bad = new Map([['w', f32a(3e38)]]);
    run(one(f32a(3e38, 1)), { method: 'topk', k: 1 }, { residuals: bad, errorFeedback: false });
  });

  it('randomk with rescale: residual = f32(acc - f32(acc · s)), tensor id = FNV-1a of the name', () => {
    const name = 'layer1.weight';
    const tid = fnvBig(asciiBytes(name));
    assert.equal(fnv1a32(name), tid);
    const g = new Float32Array(10).fill(1);
    const out = run(one(g, name), { method: 'randomk', k: 3, rescale: true }, { seed: 5, step: 9 });
    const words = Array.from({ length: 10 }, (_, i) => wordBig(5, 9, tid, i));
    const kept = firstKByRepeatedMax(words, 3);
    const s = 3.3333332538604736; // f32(10 / 3) = 13981013 · 2^-22
    assertSelection(out.selections[0], kept, [s, s, s]);
    // 1 - 13981013 · 2^-22 = -9786709 · 2^-22 (exact in f32).
    const r = Array.from({ length: 10 }, (_, i) => (kept.includes(i) ? -2.3333332538604736 : 1));
    assert.deepEqual(residualOf(out, name), r);
  });

  it('carries residuals of tensors not in the step, as copies', () => {
    const other = f32a(7, 8);
    const out = run(one(f32a(1)), { method: 'topk', k: 0 }, { residuals: new Map([['other', other]]) });
    assert.deepEqual(residualOf(out, 'other'), [7, 8]);
    assert.notEqual(out.residuals.get('other'), other);
    assert.deepEqual(residualOf(out), [1]);
  });

  it('resolves densities and per-tensor parameter lists', () => {
    const gradients = [{ name: 'a', values: f32a(1, 3, 2) }, { name: 'b', values: f32a(0.5, -4) }];
    const out = run(gradients, [{ method: 'topk', density: 0.5 }, { method: 'threshold', threshold: 1 }]);
    assertSelection(out.selections[0], [1, 2], [3, 2]); // k = round(1.5) = 2
    assertSelection(out.selections[1], [1], [-4]);
  });
});

describe('referenceStep: joint methods', () => {
  const gradients = [{ name: 'a', values: f32a(2, 1) }, { name: 'b', values: f32a(1, 2) }];

  it('global-topk: ties across tensors go to the earlier tensor; residuals per tensor', () => {
    const residuals = new Map([['b', f32a(1, 0)]]);
    // acc: a = [2, 1], b = [2, 2]. Keys 2 at a0, b0, b1: K = 2 keeps a0 and b0.
    const out = run(gradients, { method: 'global-topk', K: 2 }, { residuals });
    assertSelection(out.selections[0], [0], [2]);
    assertSelection(out.selections[1], [0], [2]);
    assert.deepEqual(residualOf(out, 'a'), [0, 1]);
    assert.deepEqual(residualOf(out, 'b'), [0, 2]);
    const byDensity = run(gradients, { method: 'global-topk', density: 0.5 }, { residuals }); // K = 2
    assert.deepEqual(byDensity.selections.map((s) => Array.from(s.indices)), [[0], [0]]);
  });

  it('hybrid: union of per-tensor top-k_j and the global threshold', () => {
    const hg = [{ name: 'a', values: f32a(5, 4, 0.5) }, { name: 'b', values: f32a(1, 0.2, 0.1) }];
    const out = run(hg, { method: 'hybrid', ks: [1, 1], K: 2 });
    assertSelection(out.selections[0], [0, 1], [5, 4]);
    assertSelection(out.selections[1], [0], [1]);
    assert.deepEqual(residualOf(out, 'b'), [0, Math.fround(0.2), Math.fround(0.1)]);
  });
});

describe('referenceStep: bad input changes no state', () => {
  function expectNonFinite(input: ReferenceStepInput, tensor: string, index: number, detail: string): void {
    const before = snapshot(input.residuals ?? new Map());
    assert.throws(
      () => referenceStep(input),
      (e: unknown) => {
        assert.ok(e instanceof NonFiniteError);
        assert.equal(e.code, 'E_NONFINITE');
        assert.equal(e.tensor, tensor);
        assert.equal(e.index, index);
        assert.equal(e.message, `tensor '${tensor}': ${detail} at index ${index}`);
        return true;
      },
    );
    assert.deepEqual(snapshot(input.residuals ?? new Map()), before);
  }

  it('NaN, ±Infinity and overflow are reported at the first offending index', () => {
    const residuals = new Map([['w', f32a(1, 2, 3)], ['v', f32a(0.5, 0.5)]]);
    const base = { residuals, params: { method: 'topk', k: 1 } as const, seed: 0, step: 0 };
    const NaN = Number.NaN;
    expectNonFinite({ ...base, gradients: one(f32a(1, NaN, Infinity)) }, 'w', 1, 'gradient contains NaN');
    expectNonFinite({ ...base, gradients: one(f32a(0, 0, -Infinity)) }, 'w', 2, 'gradient contains Infinity');
    const big = new Map([['w', f32a(3e38, 0, 0)]]);
    const overflow = { ...base, residuals: big, gradients: one(f32a(3e38, 0, 0)) };
    expectNonFinite(overflow, 'w', 0, 'gradient + residual overflows float32');
    // The second tensor fails: the first tensor's residual is not committed either.
    const two = [{ name: 'v', values: f32a(1, 1) }, { name: 'w', values: f32a(0, 0, NaN) }];
    expectNonFinite({ ...base, gradients: two }, 'w', 2, 'gradient contains NaN');
    // Without error feedback a NaN gradient still fails.
    const noEf = { ...base, errorFeedback: false, gradients: one(f32a(NaN, 0, 0)) };
    expectNonFinite(noEf, 'w', 0, 'gradient contains NaN');
  });

  it('shape and configuration errors come first and are typed', () => {
    const withNaN = one(f32a(1, Number.NaN));
    assert.throws(() => run(withNaN, { method: 'topk', k: 3 }), ConfigError);
    assert.throws(() => run(withNaN, { method: 'topk', k: 1 }, { residuals: new Map([['w', f32a(0)]]) }), ShapeError);
    const ok = one(f32a(1, 2));
    const cast = (p: unknown): ReferenceMethodParams => p as ReferenceMethodParams;
    const bad: [ReferenceStepInput['params'], RegExp][] = [
      [cast({ method: 'topk', k: 1, density: 0.5 }), /exactly one of k and density/],
      [cast({ method: 'topk' }), /exactly one of k and density/],
      [cast({ method: 'nope' }), /unknown selection method 'nope'/],
      [[{ method: 'topk', k: 1 }, { method: 'topk', k: 1 }], /2 method parameter sets for 1 tensors/],
      [cast([{ method: 'global-topk', K: 1 }]), /select all tensors jointly/],
      [{ method: 'threshold', threshold: -1 }, /threshold must be/],
      [{ method: 'percentile', q: 2 }, /q of tensor 'w' must be in/],
      [{ method: 'approx-topk', k: 1, tolerance: -1 }, /tolerance/],
      [{ method: 'hybrid', ks: [1, 1], K: 1 }, /ks must have one entry per tensor/],
      [{ method: 'global-topk', K: 3 }, /K = 3 exceeds/],
    ];
    for (const [params, re] of bad) {
      assert.throws(() => run(ok, params), (e: unknown) => e instanceof ConfigError && re.test(e.message));
    }
    assert.throws(() => run([...ok, ...ok], { method: 'topk', k: 1 }), /duplicate tensor name 'w'/);
    assert.throws(() => run(ok, { method: 'topk', k: 1 }, { seed: -1 }), ConfigError);
    assert.throws(() => run(ok, { method: 'topk', k: 1 }, { step: 1.5 }), ConfigError);
  });
});

describe('referenceStep: every method', () => {
  // Type-level: one parameter variant per Method name (a missing variant would fail to type-check).
  const examples: { [M in Method]: Extract<ReferenceMethodParams, { method: M }> } = {
    topk: { method: 'topk', k: 2 },
    threshold: { method: 'threshold', threshold: 1 },
    percentile: { method: 'percentile', q: 0.5 },
    randomk: { method: 'randomk', density: 0.5, rescale: true },
    probabilistic: { method: 'probabilistic', k: 2 },
    'approx-topk': { method: 'approx-topk', k: 2, sampleFraction: 0.5 },
    'global-topk': { method: 'global-topk', K: 3 },
    hybrid: { method: 'hybrid', ks: [1, 1], K: 2 },
  };

  it('runs each method; r = f32(acc - sent) at kept positions (ascending), acc elsewhere', () => {
    const gradients = [{ name: 'a', values: f32a(4, -1, 2, 0.5) }, { name: 'b', values: f32a(-3, 1) }];
    for (const params of Object.values(examples)) {
      const out = run(gradients, params, { seed: 11, step: 4 });
      assert.equal(out.selections.length, 2);
      out.selections.forEach((sel, j) => {
        const r = out.residuals.get(gradients[j].name) ?? new Float32Array(0);
        const idx = Array.from(sel.indices);
        assert.deepEqual(idx, [...idx].sort((x, y) => x - y), 'ascending');
        gradients[j].values.forEach((g, i) => {
          const t = idx.indexOf(i);
          const expected = t < 0 ? g : Math.fround(g - sel.values[t]);
          assert.ok(Object.is(r[i], expected), `${params.method} ${gradients[j].name}[${i}]`);
        });
      });
    }
  });
});
