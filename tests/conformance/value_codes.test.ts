/**
 * Value codes inside the step: a lossy code's quantisation error goes into the residual at the kept
 * positions, so that decoded value + residual equals the accumulated value; frames from
 * `encode(result)` decode to exactly quantizeValues(values, code). Pattern overrides pick codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompressor } from '../../ts-api/index.ts';
import { decodeFrame, quantizeValues } from '../../ts-api/codec/index.ts';
import { bits } from './harness.ts';
import { makeTensor } from './generators.ts';

const f = Math.fround;

for (const code of ['f16', 'bf16', 'int8', 'ternary'] as const) {
  test(`${code}: decoded + residual = accumulated value; frames decode to the quantised values`, async () => {
    const c = await createCompressor({ method: 'topk', density: 0.05, values: code });
    const plain = await createCompressor({ method: 'topk', density: 0.05 });
    let acc = new Float32Array(4000);
    for (let st = 0; st < 4; st++) {
      const g = makeTensor(4000, 'random', 40 + st);
      const rBefore = st === 0 ? new Float32Array(4000) : c.getResidual('w');
      acc = g.map((x, i) => f(x + rBefore[i]!));
      const res = c.step({ w: g });
      const t = res.tensors[0]!;
      assert.equal(t.valueCode, code);
      const frame = decodeFrame(c.encode(res));
      const decoded = frame.tensors[0]!;
      assert.deepEqual(decoded.indices, t.indices);
      assert.deepEqual(bits(decoded.values), bits(quantizeValues(t.values, code)));
      const r = c.getResidual('w');
      t.indices.forEach((i, j) => {
        assert.equal(t.values[j], acc[i], 'values are the accumulated values before coding');
        const back = f(decoded.values[j]! + r[i]!);
        if (code === 'ternary') assert.ok(Math.abs(back - acc[i]!) <= 1e-6 * Math.max(1, Math.abs(acc[i]!)));
        else assert.equal(back, acc[i], `index ${i}: decoded + residual`);
      });
      plain.step({ w: g });
    }
    assert.notDeepEqual(bits(c.getResidual('w')), bits(plain.getResidual('w')), 'the lossy code changed the residual');
  });
}

test('pattern overrides choose methods and codes per tensor; later entries win', async () => {
  const c = await createCompressor({
    method: 'topk', density: 0.01, values: 'f16',
    tensors: { 'enc.*.weight': { density: 0.1, values: 'int8' }, 'enc.1.*': { index: 'coo' }, '**.bias': { method: 'threshold', threshold: 0 } },
  });
  const res = c.step({
    'enc.0.weight': makeTensor(1000, 'random', 1), 'enc.1.weight': makeTensor(1000, 'random', 2),
    'enc.1.bias': makeTensor(10, 'random', 3), 'head.weight': makeTensor(1000, 'random', 4),
  });
  const by = Object.fromEntries(res.tensors.map((t) => [t.name, t]));
  assert.equal(by['enc.0.weight']!.indices.length, 100);
  assert.equal(by['enc.0.weight']!.valueCode, 'int8');
  assert.equal(by['enc.1.weight']!.indexCode, 'coo');
  assert.equal(by['enc.1.bias']!.indices.length, 10, 'threshold 0 keeps everything');
  assert.equal(by['enc.1.bias']!.method, 'threshold');
  assert.equal(by['head.weight']!.indices.length, 10);
  assert.equal(by['head.weight']!.valueCode, 'f16');
  const frame = decodeFrame(c.encode(res));
  assert.equal(frame.tensors[1]!.indexCode, 'coo', "'enc.1.*' forces COO on enc.1.weight");
  assert.equal(frame.tensors[1]!.valueCode, 'int8', "'enc.*.weight' still applies");
});
