/**
 * The federated-training demo (examples/federated/), run in-process on small configurations:
 * dense FedAvg learns; sparse top-k with error feedback at 1% stays within a few points of it;
 * without error feedback a very sparse run is far worse; reported bytes are the real frame lengths;
 * the server rejects damaged frames; the same seed gives the same run.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeFrame, encodeFrame } from '../../ts-api/codec/index.ts';
import { FormatError } from '../../ts-api/errors.ts';
import { loadDigits, splitFederated } from '../../examples/federated/data.ts';
import { initParams, paramCount } from '../../examples/federated/model.ts';
import { decodeUpdate, FedAvgServer, UpdateRejected } from '../../examples/federated/server.ts';
import { runFederated, type FederatedResult } from '../../examples/federated/simulate.ts';
import { RATIO_HIDDEN, ratioRows } from '../../examples/federated/ratios.ts';

const SEED = Number(process.env.SEED ?? 1);
const data = loadDigits();
const frames = new Map<string, Uint8Array>();
let main: FederatedResult | undefined;

/** One run shared by the accuracy and byte-count tests: 50 rounds, defaults otherwise. */
async function mainRun(): Promise<FederatedResult> {
  main ??= await runFederated({ rounds: 50, seed: SEED }, { data, onFrame: (round, id, f) => frames.set(`${round}/${id}`, f) });
  return main;
}

test(`data: 1797 rows, deterministic split into a test set and client shares covering every row once (seed ${SEED})`, () => {
  assert.equal(data.n, 1797);
  for (const nonIid of [false, true]) {
    const a = splitFederated(data, { clients: 10, testFraction: 0.2, nonIid, seed: SEED });
    const b = splitFederated(data, { clients: 10, testFraction: 0.2, nonIid, seed: SEED });
    assert.deepEqual(a, b);
    assert.equal(a.test.n, 359);
    assert.equal(a.test.n + a.clients.reduce((s, c) => s + c.n, 0), 1797);
    if (nonIid) {
      // Label skew: each client sees at most 4 of the 10 labels (2 shards, each spanning at most 2 labels).
      for (const c of a.clients) assert.ok(new Set(c.y).size <= 4, `client has ${new Set(c.y).size} labels`);
    }
  }
});

test(`dense FedAvg learns, and sparse top-k 1% with error feedback ends within 3 points of it (seed ${SEED})`, async () => {
  const r = await mainRun();
  assert.ok(r.denseAccuracy > 0.9, `dense accuracy ${r.denseAccuracy}`);
  assert.ok(r.sparseAccuracy > r.denseAccuracy - 0.03, `sparse ${r.sparseAccuracy} vs dense ${r.denseAccuracy}`);
  assert.ok(r.ratio > 50, `compression ratio ${r.ratio}`);
  assert.ok(r.rounds.every((s) => s.rejected === 0));
});

test(`without error feedback, top-k at 0.2% is measurably worse than with it (seed ${SEED})`, async () => {
  const cfg = { rounds: 40, density: 0.002, dense: false, seed: SEED };
  const withEf = await runFederated({ ...cfg, errorFeedback: true }, { data });
  const withoutEf = await runFederated({ ...cfg, errorFeedback: false }, { data });
  // Measured (seeds 1-3): about 0.89-0.92 with error feedback, 0.55-0.60 without.
  assert.ok(withEf.sparseAccuracy > 0.8, `with error feedback: ${withEf.sparseAccuracy}`);
  assert.ok(withEf.sparseAccuracy - withoutEf.sparseAccuracy > 0.15, `with ${withEf.sparseAccuracy}, without ${withoutEf.sparseAccuracy}`);
});

test(`reported bytes equal the encoded frame lengths (seed ${SEED})`, async () => {
  const r = await mainRun();
  const n = paramCount(initParams(r.config.hidden, 0));
  assert.equal(r.params, n);
  assert.equal(frames.size, r.config.rounds * r.config.clients);
  let total = 0;
  for (const s of r.rounds) {
    assert.equal(s.denseBytesPerClient, 4 * n);
    assert.equal(s.frameBytes.length, r.config.clients);
    s.frameBytes.forEach((bytes, id) => {
      const f = frames.get(`${s.round}/${id}`)!;
      assert.equal(bytes, f.length);
      const d = decodeFrame(f);
      assert.equal(d.totalBytes, f.length);
      assert.equal(d.step, s.round);
      assert.deepEqual(d.tensors.map((t) => t.name), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
      total += f.length;
    });
  }
  assert.equal(r.sparseBytes, total);
  assert.equal(r.denseBytes, r.config.rounds * r.config.clients * 4 * n);
  assert.equal(r.ratio, r.denseBytes / r.sparseBytes);
});

test('the server rejects damaged, oversized, stale or mismatched frames without applying them', async () => {
  await mainRun();
  const f = frames.get('3/0')!;
  const hidden = main!.config.hidden;
  assert.ok(decodeUpdate(f, hidden, 3)['fc1.weight'].some((v) => v !== 0));
  const flipped = f.slice();
  flipped[f.length >> 1]! ^= 0x10;
  assert.throws(() => decodeUpdate(flipped, hidden, 3), FormatError);
  assert.throws(() => decodeUpdate(f.subarray(0, f.length - 1), hidden, 3), FormatError);
  assert.throws(() => decodeUpdate(f, hidden, 4), UpdateRejected);
  assert.throws(() => decodeUpdate(f, hidden + 1, 3), UpdateRejected);
  // More kept elements than the model has parameters: refused by the decoder's element limit.
  const n = paramCount(initParams(hidden, 0));
  const big = encodeFrame({
    step: 3,
    tensors: [{ name: 'fc1.weight', method: 'topk', length: 2 * n, indices: Uint32Array.from({ length: n + 1 }, (_, i) => i), values: new Float32Array(n + 1) }],
  });
  assert.throws(() => decodeUpdate(big, hidden, 3), (e: unknown) => e instanceof FormatError && e.code === 'E_LIMIT');
  const initial = initParams(hidden, 7);
  const server = new FedAvgServer(initial);
  const report = server.aggregateFrames([{ clientId: 0, frame: flipped, weight: 1 }, { clientId: 1, frame: new Uint8Array(3), weight: 1 }], 3);
  assert.deepEqual(report.accepted, []);
  assert.equal(report.rejected.length, 2);
  assert.deepEqual(server.global, initial);
});

test(`determinism: two runs with the same seed give identical accuracies, bytes and frames (seed ${SEED})`, async () => {
  const run = async (): Promise<{ r: FederatedResult; hash: string }> => {
    const h = createHash('sha256');
    const r = await runFederated({ rounds: 8, seed: SEED, nonIid: true }, { data, onFrame: (_round, _id, f) => h.update(f) });
    return { r, hash: h.digest('hex') };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.r.rounds, b.r.rounds);
  assert.equal(a.hash, b.hash);
  assert.equal(a.r.sparseBytes, b.r.sparseBytes);
  const other = await runFederated({ rounds: 8, seed: SEED + 1, nonIid: true, dense: false }, { data });
  assert.notDeepEqual(other.rounds.map((s) => s.sparseAccuracy), a.r.rounds.map((s) => s.sparseAccuracy));
});

test('the README ratio table is what examples/federated/ratios.ts prints (no hand-typed figures)', async () => {
  const readme = readFileSync(new URL('../../examples/federated/README.md', import.meta.url), 'utf8');
  const rows = readme.split('\n').filter((l) => RATIO_HIDDEN.some((h) => l.startsWith(`| ${h} (`)));
  assert.equal(rows.length, RATIO_HIDDEN.length, 'one README row per hidden size');
  assert.deepEqual(rows, await ratioRows(), 'regenerate the table: node --import tsx examples/federated/ratios.ts');
});
