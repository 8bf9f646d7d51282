/**
 * Learned masks: an EMA of |g| (f32, one rounding per operation) refreshed into a top-k mask every
 * M steps, exactly the mask's positions sent with error feedback, caller scores honoured at the
 * next refresh, and the mask state saved and restored. Checked against a computation written here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompressor, decodeFrame } from '../../ts-api/index.ts';
import { selectTopK } from '../../ts-api/reference/select_topk.ts';
import { bits } from './harness.ts';
import { makeTensor } from './generators.ts';

const f = Math.fround;

test('mask = top-k of the |g| EMA, refreshed every M steps; sent values and residuals exact (both builds)', async () => {
  const n = 3000;
  const k = 60;
  const every = 3;
  for (const simd of [true, false]) {
    const c = await createCompressor({ method: 'mask', k, maskEvery: every, maskBeta: 0.8, simd });
    const beta = f(0.8);
    const omb = f(1 - beta);
    let ema = new Float32Array(n);
    let residual = new Float32Array(n);
    let mask: Uint32Array | undefined;
    for (let st = 0; st < 8; st++) {
      const g = makeTensor(n, 'random', 70 + st);
      ema = ema.map((e, i) => f(f(beta * e) + f(omb * Math.abs(g[i]!))));
      const refresh = st % every === 0;
      const prev = mask;
      if (refresh) mask = selectTopK(ema, k).indices;
      const acc = g.map((x, i) => f(x + residual[i]!));
      const out = c.step({ w: g }).tensors[0]!;
      assert.deepEqual(out.indices, mask, `step ${st}: the mask`);
      assert.deepEqual(bits(out.values), bits(Float32Array.from(mask!, (i) => acc[i]!)));
      residual = acc.slice();
      for (const i of mask!) residual[i] = 0;
      assert.deepEqual(bits(c.getResidual('w')), bits(residual));
      const changed = refresh && !(prev && prev.every((v, q) => v === mask![q]));
      assert.equal(out.maskChanged, changed, `step ${st}: maskChanged`);
      assert.equal(out.method, 'mask');
    }
  }
});

test('caller-trained scores decide the next refresh; state round-trips; frames carry the mask when it changed', async () => {
  const opts = { method: 'mask', k: 4, maskEvery: 2 } as const;
  const c = await createCompressor(opts);
  c.step({ w: makeTensor(50, 'random', 1) });
  const scores = new Float32Array(50);
  scores.set([9, 8, 7, 6], 10);
  c.setMaskScores('w', scores);
  c.step({ w: makeTensor(50, 'random', 2) });
  const r = c.step({ w: makeTensor(50, 'random', 3) });
  assert.deepEqual(r.tensors[0]!.indices, Uint32Array.from([10, 11, 12, 13]));
  assert.deepEqual(c.getMask('w'), Uint32Array.from([10, 11, 12, 13]));
  const d = await createCompressor(opts);
  d.restoreState(c.saveState());
  for (let st = 4; st < 9; st++) {
    const a = c.step({ w: makeTensor(50, 'random', st) }).tensors[0]!;
    const b = d.step({ w: makeTensor(50, 'random', st) }).tensors[0]!;
    assert.deepEqual(a.indices, b.indices, `step ${st}`);
    assert.deepEqual(bits(a.values), bits(b.values));
  }
  // Frames carry the mask only when it changed; a receiver's mask store fills in the rest.
  const e = await createCompressor(opts);
  const store = new Map<string, Uint32Array>();
  for (let st = 0; st < 7; st++) {
    const res = e.step({ w: makeTensor(50, 'random', 20 + st) });
    const t = res.tensors[0]!;
    const d = decodeFrame(e.encode(res), {}, { masks: store }).tensors[0]!;
    assert.equal(d.unit, 'mask');
    assert.equal(d.maskSent, t.maskChanged, `step ${st}`);
    assert.deepEqual([d.indices, bits(d.values)], [t.indices, bits(t.values)], `step ${st}`);
    assert.deepEqual(store.get('w'), e.getMask('w'));
  }
  assert.throws(() => decodeFrame(e.encode(e.step({ w: makeTensor(50, 'random', 1) }))), /E_MASK|stored mask/);
  assert.throws(() => c.setMaskScores('w', new Float32Array(50).fill(NaN)), /non-finite/);
});
