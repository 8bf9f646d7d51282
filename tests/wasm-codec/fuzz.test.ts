/**
 * Fuzz smoke: seeded mutations of valid frames (most with length and CRC fixed up, so they reach
 * the section parser) and random bytes, decoded by ts-api/codec and by the Wasm decoder (SIMD and
 * scalar builds) with a few caller-limit settings: the outcomes must be identical (the same
 * tensors, or a FormatError with the same code and offset). A failure names the seed, the case
 * and the bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFrame, type DecodeLimits, type EncodeTensor } from '../../ts-api/codec/frame.ts';
import { INDEX_CODE_NAMES, VALUE_CODE_NAMES } from '../../ts-api/codec/ids.ts';
import { corpus, fuzzMasks, mutate, randomFrame } from '../codec/fuzz_core.ts';
import { randomIndices, randomValues, rng } from '../codec/helpers.ts';
import { bothBuilds, decodeBoth } from './helpers.ts';

const SEED = 0x5eed;
const CASES = 3000;
const LIMITS: Array<DecodeLimits | undefined> = [
  undefined, { maxElements: 1 << 22 }, { maxElements: 3 }, { maxBytes: 200 }, { allowNonFinite: true }, { maxElements: 0 },
];

test(`fuzz: Wasm decoder outcome = TS decoder outcome (${CASES} cases, seed ${SEED})`, async () => {
  const builds = await bothBuilds();
  const r = rng(SEED);
  const frames = corpus(SEED ^ 0x5bd1e995);
  const seen: Record<string, number> = {};
  for (let c = 0; c < CASES; c++) {
    const bytes = r() < 0.9
      ? mutate(r, frames[Math.floor(r() * frames.length)]!, frames[Math.floor(r() * frames.length)]!)
      : randomFrame(r);
    const limits = LIMITS[Math.floor(r() * LIMITS.length)];
    const masks = r() < 0.8 ? fuzzMasks : undefined;
    for (const { label, core } of builds) {
      const [ts, wasm] = decodeBoth(core, bytes, limits, masks);
      if (JSON.stringify(ts) !== JSON.stringify(wasm)) {
        assert.deepEqual(wasm, ts, `seed ${SEED} case ${c} (${label}, limits ${JSON.stringify(limits)}): bytes ${Buffer.from(bytes).toString('hex')}`);
      }
      if (label === 'SIMD') {
        const key = 'err' in (ts as object) ? (ts as { err: [string, number] }).err[0] : 'ok';
        seen[key] = (seen[key] ?? 0) + 1;
      }
    }
  }
  // The corpus must reach deep into the parser, not just fail at the checksum.
  assert.ok((seen.ok ?? 0) > 50 && Object.keys(seen).length >= 12, `outcomes too uniform: ${JSON.stringify(seen)}`);
});

/** Frames with larger tensors (k up to ~3000), so mutations land inside the SIMD loops. */
function bigCorpus(seed: number): Uint8Array[] {
  const r = rng(seed);
  const out: Uint8Array[] = [];
  for (const ic of INDEX_CODE_NAMES) {
    for (const vc of VALUE_CODE_NAMES) {
      const rows = 16 + Math.floor(r() * 64);
      const cols = 16 + Math.floor(r() * 64);
      const n = rows * cols;
      const k = Math.floor(n * [0.5, 0.2, 0.05][Math.floor(r() * 3)]!);
      const t: EncodeTensor = {
        name: `big.${ic}.${vc}`, method: 'topk', length: n, shape: [rows, cols],
        indices: randomIndices(r, n, k), values: randomValues(r, k), indexCode: ic, valueCode: vc,
      };
      out.push(encodeFrame({ step: 5, tensors: [t] }));
    }
  }
  return out;
}

test('fuzz, larger tensors: Wasm decoder outcome = TS decoder outcome (1000 cases)', async () => {
  const builds = await bothBuilds();
  const seed = SEED + 1;
  const r = rng(seed);
  const frames = bigCorpus(seed);
  for (let c = 0; c < 1000; c++) {
    const src = frames[Math.floor(r() * frames.length)]!;
    const bytes = mutate(r, src, frames[Math.floor(r() * frames.length)]!);
    const limits = LIMITS[Math.floor(r() * LIMITS.length)];
    for (const { label, core } of builds) {
      const [ts, wasm] = decodeBoth(core, bytes, limits);
      if (JSON.stringify(ts) !== JSON.stringify(wasm)) {
        assert.deepEqual(wasm, ts, `seed ${seed} case ${c} (${label}, limits ${JSON.stringify(limits)}): bytes ${Buffer.from(bytes).toString('hex')}`);
      }
    }
  }
});
