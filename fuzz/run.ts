/**
 * Decoder fuzzer for long runs: `node --import tsx fuzz/run.ts [--cases N] [--seed S] [--max-ms M]`
 * (defaults: 1,000,000 cases, seed 1, 1000 ms). Prints the seed, cases/s and the outcome counts;
 * exits 1 on any exception other than FormatError, an invariant broken by a successful decode, or a
 * case slower than the limit (the failing case's bytes are printed in hex).
 */
import { fuzz } from '../tests/codec/fuzz_core.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const cases = arg('cases', 1_000_000);
const seed = arg('seed', 1);
const maxMs = arg('max-ms', 1000);
console.log(`fuzz: seed ${seed}, ${cases} cases, limit ${maxMs} ms per case`);
const chunk = 100_000;
const t0 = performance.now();
let done = 0;
const totals: Record<string, number> = {};
let slowest = 0;
try {
  for (let part = 0; done < cases; part++) {
    const n = Math.min(chunk, cases - done);
    const s = fuzz(seed + part * 0x9e3779b1, n, maxMs);
    done += n;
    totals.ok = (totals.ok ?? 0) + s.decoded;
    for (const [k, v] of Object.entries(s.errors)) totals[k] = (totals[k] ?? 0) + v;
    slowest = Math.max(slowest, s.slowestMs);
    const sec = (performance.now() - t0) / 1000;
    console.log(`  ${done} cases, ${Math.round(done / sec)} cases/s (part seed ${seed + part * 0x9e3779b1})`);
  }
} catch (e) {
  console.error(`FAIL (seed ${seed}): ${(e as Error).message}`);
  process.exit(1);
}
const sec = (performance.now() - t0) / 1000;
console.log(`done: ${done} cases in ${sec.toFixed(1)} s = ${Math.round(done / sec)} cases/s; slowest ${slowest.toFixed(2)} ms; seed ${seed}`);
console.log(JSON.stringify(totals));
