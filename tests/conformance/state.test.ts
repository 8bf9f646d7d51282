/**
 * Error-feedback conservation over many steps, and save/restore of the whole state: a restored
 * compressor continues exactly like the original; damaged or foreign state is refused unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompressor, StateError } from '../../ts-api/index.ts';
import { bits } from './harness.ts';
import { makeTensor } from './generators.ts';

const f = Math.fround;

test('conservation: everything sent plus the final residual equals the f32 running sum (top-k, 12 steps)', async () => {
  for (const simd of [true, false]) {
    for (const method of ['topk', 'threshold', 'approx-topk', 'global-topk'] as const) {
      const n = 3001;
      const opts = method === 'threshold' ? { method, threshold: 1.5 } : { method, density: 0.02 };
      const c = await createCompressor({ ...opts, simd });
      // Per element: the input since the last send is summed in f32 (acc = g + r), and each send
      // adds that group's sum to the element's total; so total + residual is computed the same way.
      const sent = new Float32Array(n);
      const pending = new Float32Array(n);
      for (let st = 0; st < 12; st++) {
        const g = makeTensor(n, st % 3 === 0 ? 'fewValues' : 'random', 100 + st);
        for (let i = 0; i < n; i++) pending[i] = f(g[i]! + pending[i]!);
        const out = c.step({ w: g }).tensors[0]!;
        out.indices.forEach((i, j) => {
          assert.equal(out.values[j], pending[i], `${method} step ${st} index ${i}: sent value is the accumulated sum`);
          sent[i] = f(sent[i]! + out.values[j]!);
          pending[i] = 0;
        });
      }
      const r = c.getResidual('w');
      assert.deepEqual(bits(r), bits(pending), `${method}: residual holds exactly what was not sent`);
      // And, in aggregate, sent + residual equals the f32 sum of all inputs up to rounding of the
      // regrouping (checked in f64 against the exact sum of the f32 inputs).
      let exact = 0;
      let got = 0;
      for (let st = 0; st < 12; st++) {
        const g = makeTensor(n, st % 3 === 0 ? 'fewValues' : 'random', 100 + st);
        for (let i = 0; i < n; i++) exact += g[i]!;
      }
      for (let i = 0; i < n; i++) got += sent[i]! + r[i]!;
      assert.ok(Math.abs(got - exact) <= 1e-4 * Math.max(1, Math.abs(exact)), `${method}: ${got} vs ${exact}`);
    }
  }
});

test('save/restore mid-training: the restored compressor continues bit-identically', async () => {
  const opts = { method: 'randomk', density: 0.05, seed: 11 } as const;
  const a = await createCompressor(opts);
  const grads = (st: number) => ({ x: makeTensor(5000, 'random', st), y: makeTensor(77, 'random', st + 1000) });
  for (let st = 0; st < 3; st++) a.step(grads(st));
  const saved = a.saveState();
  const b = await createCompressor({ ...opts, simd: false });
  b.restoreState(saved);
  assert.equal(b.stepCount, 3);
  for (let st = 3; st < 6; st++) {
    const ra = a.step(grads(st));
    const rb = b.step(grads(st));
    assert.equal(ra.step, rb.step);
    ra.tensors.forEach((t, j) => {
      assert.deepEqual(t.indices, rb.tensors[j]!.indices);
      assert.deepEqual(bits(t.values), bits(rb.tensors[j]!.values));
    });
  }
  assert.deepEqual(bits(a.getResidual('x')), bits(b.getResidual('x')));
});

test('damaged, foreign or mismatched state is refused with StateError and changes nothing', async () => {
  const a = await createCompressor({ method: 'topk', density: 0.1 });
  a.step({ x: makeTensor(100, 'random', 1) });
  const saved = a.saveState();
  const c = await createCompressor({ method: 'topk', density: 0.1 });
  c.step({ x: makeTensor(100, 'random', 2) });
  const before = bits(c.getResidual('x'));
  const damaged: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['truncated', saved.slice(0, saved.length - 9)],
    ['bad magic', Uint8Array.from(saved, (b, i) => (i === 0 ? b ^ 1 : b))],
    ['flipped residual byte', Uint8Array.from(saved, (b, i) => (i === 60 ? b ^ 0x80 : b))],
    ['foreign build', Uint8Array.from(saved, (b, i) => (i === 8 ? b ^ 0xff : b))],
  ];
  for (const [label, bytes] of damaged) {
    assert.throws(() => c.restoreState(bytes), StateError, label);
    assert.deepEqual(bits(c.getResidual('x')), before, label);
    assert.equal(c.stepCount, 1, label);
  }
  const noEf = await createCompressor({ method: 'topk', density: 0.1, errorFeedback: false });
  assert.throws(() => noEf.restoreState(saved), /errorFeedback/);
});
