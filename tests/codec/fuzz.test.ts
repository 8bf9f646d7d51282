/**
 * Fuzz smoke test: seeded mutations of valid frames and random bytes decode or throw FormatError.
 * No per-case time limit here (timing belongs to `npm run fuzz`, which has --max-ms).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzz } from './fuzz_core.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const CASES = Number(process.env.FUZZ_CASES ?? 5000);

test(`fuzz smoke: ${CASES} cases, seed ${SEED} (rerun: FUZZ_SEED=${SEED})`, (t) => {
  const stats = fuzz(SEED, CASES);
  t.diagnostic(`seed ${SEED}: ${JSON.stringify(stats)}`);
  assert.equal(stats.cases, CASES);
  assert.ok(stats.decoded > 0, 'some mutated frames still decode');
  assert.ok(Object.keys(stats.errors).length >= 10, `error variety: ${Object.keys(stats.errors).join(' ')}`);
});
