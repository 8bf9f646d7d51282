/**
 * Correctness check of the baselines, run by bench/run.ts before any timing (abort on mismatch):
 * the quickselect baseline must equal the sort baseline exactly (indices and values, project tie
 * rule); tf.topk must select the same multiset of magnitudes (its tie rule differs) and report
 * indices whose magnitudes are the values it returns. Inputs are small, seeded, and include heavy
 * ties (quantized values, ±equal magnitudes, ±0).
 *
 * Standalone: `node --import tsx bench/baselines/check.ts`.
 */
import { pathToFileURL } from 'node:url';
import { createPrng, heavyTailedF32, normalF32 } from '../lib/data.ts';
import { jsQuickselectTopk } from './js_quickselect_topk.ts';
import { jsSortTopk } from './js_sort_topk.ts';
import { describeTfjs, initTfjsWasm, tfjsTensorCount, tfjsTopk } from './tfjs_topk.ts';
import type { TopkSelection } from './types.ts';

/** Values on a coarse grid with random signs: many exact ties, including +0 and -0. */
function tieHeavy(n: number, seed: number): Float32Array {
  const rng = createPrng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.nextU32();
    const mag = (u % 13) * 0.25;
    out[i] = u & 0x80000000 ? -mag : mag;
  }
  return out;
}

function fail(what: string, seed: number): never {
  throw new Error(`baseline check FAILED: ${what} (seed ${seed})`);
}

function sameSelection(a: TopkSelection, b: TopkSelection): boolean {
  if (a.indices.length !== b.indices.length) return false;
  for (let j = 0; j < a.indices.length; j++) {
    if (a.indices[j] !== b.indices[j] || !Object.is(a.values[j], b.values[j])) return false;
  }
  return true;
}

/** Sorted (descending) magnitudes of the selected values. */
function magnitudesDesc(v: Float32Array): Float32Array {
  const m = new Float32Array(v.length);
  for (let j = 0; j < v.length; j++) m[j] = Math.abs(v[j]!);
  return m.sort().reverse();
}

/**
 * Run every check; throws on the first mismatch. Returns the number of (input, k) cases checked.
 * @param log progress output (default console.log).
 */
export async function runBaselineCheck(seed = 7, log: (line: string) => void = console.log): Promise<number> {
  const tfInfo = await initTfjsWasm();
  log(`baseline check: ${describeTfjs(tfInfo)}`);
  if (!tfInfo.simdInUse) log('baseline check: WARNING tfjs is not running its SIMD binary');
  const inputs: Array<[string, Float32Array]> = [
    ['normal', normalF32(5003, seed)],
    ['heavy', heavyTailedF32(4096, seed + 1)],
    ['ties', tieHeavy(3001, seed + 2)],
    ['single', new Float32Array([-2.5])],
    ['zeros', new Float32Array([0, -0, 0, -0, 0, 1, -1])],
  ];
  const tensorsBefore = tfjsTensorCount();
  let cases = 0;
  for (const [name, x] of inputs) {
    const n = x.length;
    const ks = [...new Set([0, 1, 2, 7, Math.round(n * 0.01), Math.round(n * 0.1), n >> 1, n - 1, n])].filter(
      (k) => k >= 0 && k <= n,
    );
    for (const k of ks) {
      const ref = jsSortTopk(x, k);
      const where = `${name} n=${n} k=${k}`;
      for (let j = 1; j < k; j++) if (!(ref.indices[j - 1]! < ref.indices[j]!)) fail(`sort baseline indices not ascending, ${where}`, seed);
      const qs = jsQuickselectTopk(x, k);
      if (!sameSelection(ref, qs)) fail(`js quickselect differs from js sort, ${where}`, seed);
      if (k > 0) {
        const t = await tfjsTopk(x, k);
        const want = magnitudesDesc(ref.values);
        if (t.values.length !== k) fail(`tf.topk returned ${t.values.length} values, ${where}`, seed);
        for (let j = 0; j < k; j++) {
          if (t.values[j] !== want[j]) fail(`tf.topk magnitude #${j} = ${t.values[j]}, want ${want[j]}, ${where}`, seed);
          const i = t.indices[j]!;
          if (!(i >= 0 && i < n) || Math.fround(Math.abs(x[i]!)) !== t.values[j]) fail(`tf.topk index ${i} does not hold its value, ${where}`, seed);
        }
        if (new Set(t.indices).size !== k) fail(`tf.topk returned duplicate indices, ${where}`, seed);
      }
      cases++;
    }
  }
  if (tfjsTensorCount() !== tensorsBefore) fail(`tfjs leaked ${tfjsTensorCount() - tensorsBefore} tensors`, seed);
  log(`baseline check: OK (${cases} cases: js quickselect == js sort exactly; tf.topk == js sort as magnitude multisets; seed ${seed})`);
  return cases;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBaselineCheck().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
