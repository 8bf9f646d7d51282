/**
 * Hand-computed cases of every structured selection (docs/selection.md, "Structured methods"),
 * checked on the TypeScript reference and on both Wasm builds, plus error feedback over two steps,
 * the documented score order (lane sums vs sequential sums), overflowing scores, non-finite input
 * and invalid parameters.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, NonFiniteError, ShapeError } from '../../ts-api/errors.ts';
import { loadCore, type WasmCore } from '../../ts-api/backends/wasm/core.ts';
import { structuredExports, structuredStepWasm, takeUnitScores } from '../../ts-api/backends/wasm/structured.ts';
import { f32Bits } from '../../ts-api/reference/key.ts';
import {
  type BlockSpec, type StructuredSpec, importanceKey, rectScoreKey, structuredK, structuredStep, structuredUnitCount,
} from '../../ts-api/reference/structured/index.ts';

const cores: Array<[string, WasmCore]> = [['simd', await loadCore({ simd: true })], ['scalar', await loadCore({ simd: false })]];

interface Expect {
  units: number[];
  indices: number[];
  values?: number[];
}

/** Runs one step (error feedback on, zero residual) everywhere and checks units, indices, values, residual. */
function expectStep(spec: StructuredSpec, g: number[], k: number, want: Expect): void {
  const gradient = Float32Array.from(g);
  const acc = gradient.map((v) => v + 0); // acc = g + r with r = +0 (so -0 becomes +0)
  const runs: Array<[string, ReturnType<typeof structuredStep>]> = [
    ['reference', structuredStep({ gradient, spec, k })],
    ...cores.map(([name, core]): [string, ReturnType<typeof structuredStep>] => [name, structuredStepWasm(core, { gradient, spec, k })]),
  ];
  for (const [name, out] of runs) {
    const { units, indices, values } = out.selection;
    assert.deepEqual(Array.from(units), want.units, `${name}: units`);
    assert.deepEqual(Array.from(indices), want.indices, `${name}: indices`);
    assert.deepEqual(Array.from(values), want.values ?? want.indices.map((i) => acc[i]), `${name}: values`);
    const residual = Array.from(acc, (v, i) => (want.indices.includes(i) ? 0 : v));
    assert.deepEqual(Array.from(out.residual!), residual, `${name}: residual`);
    out.residual!.forEach((v, i) => want.indices.includes(i) && assert.ok(Object.is(v, 0), `${name}: +0 residual at ${i}`));
  }
}

// [3, 5] in 2×2 blocks: a 2×3 grid; the last block column is 1 wide, the last block row 1 high.
//   1  -2 |  3  0 |  5
//   0   1 | -1  1 | -1
//   ------+-------+----
//   4   0 |  0  0 | 0.5
// Block (number): L1, L2, max: 0: 4, 6, 2; 1: 5, 11, 3; 2: 6, 26, 5; 3: 4, 16, 4; 4: 0, 0, 0; 5: .5, .25, .5
const B = [1, -2, 3, 0, 5, 0, 1, -1, 1, -1, 4, 0, 0, 0, 0.5];
const block = (score: 'l1' | 'l2' | 'max'): BlockSpec => ({ unit: 'block', rows: 3, cols: 5, blockRows: 2, blockCols: 2, score });

describe('block', () => {
  it('L1, k = 2: blocks 2 (6) and 1 (5)', () => expectStep(block('l1'), B, 2, { units: [1, 2], indices: [2, 3, 4, 7, 8, 9] }));
  it('L1, k = 3: blocks 0 and 3 tie at 4, the lower block wins', () =>
    expectStep(block('l1'), B, 3, { units: [0, 1, 2], indices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }));
  it('L2, k = 2: blocks 2 (26) and 3 (16)', () => expectStep(block('l2'), B, 2, { units: [2, 3], indices: [4, 9, 10, 11] }));
  it('max, k = 1: block 2 (5)', () => expectStep(block('max'), B, 1, { units: [2], indices: [4, 9] }));
  it('k = 0 keeps nothing; k = all keeps everything', () => {
    expectStep(block('l1'), B, 0, { units: [], indices: [] });
    expectStep(block('l2'), B, 6, { units: [0, 1, 2, 3, 4, 5], indices: B.map((_, i) => i) });
  });
  it('a block larger than the tensor is one unit', () =>
    expectStep({ unit: 'block', rows: 3, cols: 5, blockRows: 4, blockCols: 9, score: 'l1' }, B, 1, { units: [0], indices: B.map((_, i) => i) }));
  it('all-zero tensor: every score is +0, ties keep the lowest blocks', () =>
    expectStep(block('l2'), new Array(15).fill(0), 2, { units: [0, 1], indices: [0, 1, 2, 3, 5, 6, 7, 8] }));
  it('unit scores are exposed by the core', () => {
    for (const [name, core] of cores) {
      structuredStepWasm(core, { gradient: Float32Array.from(B), spec: block('l2'), k: 1 });
      assert.deepEqual(Array.from(takeUnitScores(core, 6)), [6, 11, 26, 16, 0, 0.25], name);
    }
  });
});

describe('documented score order', () => {
  const big = 2 ** 24; // big + 1 rounds back to big in f32
  it('lane order: a unit row [2^24, 1 × 7] scores (2^24 + 2) + (2 + 2) = 16777222, not 2^24', () => {
    const row = Float32Array.from([big, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(rectScoreKey(row, 8, 0, 1, 0, 8, 'l1'), f32Bits(16777222));
    // Row 1 (16777220) would win with a sequential sum (2^24); with lanes row 0 wins.
    expectStep({ unit: 'row', rows: 2, cols: 8, score: 'l1' }, [...row, 16777220, 0, 0, 0, 0, 0, 0, 0], 1, {
      units: [0], indices: [0, 1, 2, 3, 4, 5, 6, 7],
    });
  });
  it('lanes restart at each unit edge: block columns 3..5 put column 3 in lane 0', () => {
    // [1, 6] in 1×3 blocks: block 1 = [1, 1, 2^24] -> lanes 1, 1, 2^24, +0 -> (1 + 1) + (2^24 + 0) = 2^24 + 2.
    // (Lanes by absolute column would give (1 + 2^24) + (0 + 1) = 2^24: f32 rounds 2^24 + 1 to even.)
    const acc = Float32Array.from([0, 0, 0, 1, 1, big]);
    assert.equal(rectScoreKey(acc, 6, 0, 1, 3, 6, 'l1'), f32Bits(big + 2));
    for (const [name, core] of cores) {
      structuredStepWasm(core, { gradient: acc, spec: { unit: 'block', rows: 1, cols: 6, blockRows: 1, blockCols: 3, score: 'l1' }, k: 1 });
      assert.deepEqual(Array.from(takeUnitScores(core, 2)), [0, big + 2], name);
    }
  });
  it('a column sums top to bottom in one f32 accumulator: [2^24, 1 × 7] scores 2^24', () => {
    // [8, 2]: column 0 = 2^24 then seven 1s (sequential: stays 2^24); column 1 = 16777218 wins.
    const g: number[] = [];
    for (let y = 0; y < 8; y++) g.push(y === 0 ? big : 1, y === 0 ? 16777218 : 0);
    expectStep({ unit: 'column', rows: 8, cols: 2, score: 'l1' }, g, 1, { units: [1], indices: [1, 3, 5, 7, 9, 11, 13, 15] });
  });
  it('L2 squares overflow to +Infinity: those units tie and the lower one wins', () => {
    const g = [1e30, 0, 1e20, 1e20, 2e30, 0];
    expectStep({ unit: 'row', rows: 3, cols: 2, score: 'l2' }, g, 1, { units: [0], indices: [0, 1] });
    expectStep({ unit: 'row', rows: 3, cols: 2, score: 'l1' }, g, 1, { units: [2], indices: [4, 5] });
  });
  it('subnormal squares underflow to +0 (tie), L1 still ranks them', () => {
    const g = [2 ** -140, 0, 2 ** -139, 0];
    expectStep({ unit: 'row', rows: 2, cols: 2, score: 'l2' }, g, 1, { units: [0], indices: [0, 1] });
    expectStep({ unit: 'row', rows: 2, cols: 2, score: 'l1' }, g, 1, { units: [1], indices: [2, 3] });
  });
});

describe('channel, head, row, column', () => {
  // [out = 3, inner = 4] (e.g. [3, 1, 2, 2]): L1 4, 3, 2; L2 4, 9, 4.
  const C = [1, 1, 1, 1, 0, 0, 0, 3, -2, 0, 0, 0];
  const ch = (score: 'l1' | 'l2'): StructuredSpec => ({ unit: 'channel', out: 3, inner: 4, score });
  it('channel L1 k = 1 keeps channel 0', () => expectStep(ch('l1'), C, 1, { units: [0], indices: [0, 1, 2, 3] }));
  it('channel L2 k = 1 keeps channel 1', () => expectStep(ch('l2'), C, 1, { units: [1], indices: [4, 5, 6, 7] }));
  it('channel L2 k = 2: channels 0 and 2 tie at 4, channel 0 wins', () =>
    expectStep(ch('l2'), C, 2, { units: [0, 1], indices: [0, 1, 2, 3, 4, 5, 6, 7] }));

  const g12 = Array.from({ length: 12 }, (_, i) => (i === 1 ? 9 : i));
  it("head layout 'rows' by importance: head 1 owns rows 2..3", () =>
    expectStep({ unit: 'head', rows: 4, cols: 3, heads: 2, layout: 'rows', score: 'importance', importance: Float32Array.of(0.1, 0.7) },
      g12, 1, { units: [1], indices: [6, 7, 8, 9, 10, 11] }));
  it("head layout 'cols' by L2: head 0 owns columns 0..1 (81 + 16 + 25 > 4 + 9 + 36 + 49)", () =>
    expectStep({ unit: 'head', rows: 2, cols: 4, heads: 2, layout: 'cols', score: 'l2' }, [0, 9, 2, 3, 4, 5, 6, 7], 1,
      { units: [0], indices: [0, 1, 4, 5] }));
  it('importance: -0 and +0 tie (lower head wins); negative values rank by value', () => {
    const spec = (imp: number[]): StructuredSpec =>
      ({ unit: 'head', rows: 2, cols: 2, heads: 2, layout: 'rows', score: 'importance', importance: Float32Array.from(imp) });
    expectStep(spec([-0, 0]), [1, 2, 3, 4], 1, { units: [0], indices: [0, 1] });
    expectStep(spec([0, -0]), [1, 2, 3, 4], 1, { units: [0], indices: [0, 1] });
    expectStep(spec([-2, -1]), [1, 2, 3, 4], 1, { units: [1], indices: [2, 3] });
    assert.ok(importanceKey(-1) < importanceKey(-0.5) && importanceKey(-0.5) < importanceKey(0) && importanceKey(0) < importanceKey(2 ** -149));
  });
  // [3, 2] = [[1, 2], [3, -4], [0, 1]]: row L1 3, 7, 1; column L1 4, 7.
  const M = [1, 2, 3, -4, 0, 1];
  it('rows L1 k = 2 keeps rows 0 and 1', () => expectStep({ unit: 'row', rows: 3, cols: 2, score: 'l1' }, M, 2, { units: [0, 1], indices: [0, 1, 2, 3] }));
  it('columns L1 k = 1 keeps column 1', () => expectStep({ unit: 'column', rows: 3, cols: 2, score: 'l1' }, M, 1, { units: [1], indices: [1, 3, 5] }));
});

describe('N:M', () => {
  const nm = (cols: number, N: number, M: number): StructuredSpec => ({ unit: 'nm', cols, N, M });
  it('2:4 keeps the two largest of each group; an all-zero group keeps its first two', () =>
    expectStep(nm(8, 2, 4), [3, 1, -3, 2, 0, 0, -0, 0], 0, { units: [], indices: [0, 2, 4, 5] }));
  it('2:4 ties: equal magnitudes keep the lower indices', () =>
    expectStep(nm(4, 2, 4), [1, -2, 2, -2, 5, 5, 5, 5], 0, { units: [], indices: [1, 2, 4, 5] }));
  it('clipped last group: cols = 6 with M = 4 keeps min(N, 2) of the last two', () =>
    expectStep(nm(6, 2, 4), [1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1], 0, { units: [], indices: [2, 3, 4, 5, 6, 7, 10, 11] }));
  it('3:4, 1:4, 0:4, 4:4 and 1:1', () => {
    const g = [4, 1, 3, 2];
    expectStep(nm(4, 3, 4), g, 0, { units: [], indices: [0, 2, 3] });
    expectStep(nm(4, 1, 4), g, 0, { units: [], indices: [0] });
    expectStep(nm(4, 0, 4), g, 0, { units: [], indices: [] });
    expectStep(nm(4, 4, 4), g, 0, { units: [], indices: [0, 1, 2, 3] });
    expectStep(nm(4, 1, 1), g, 0, { units: [], indices: [0, 1, 2, 3] });
  });
  it('all-equal groups keep their first N (1:32, 31:32, 4:8, 3:5 with a clipped group)', () => {
    const ones = (n: number): number[] => new Array<number>(n).fill(-1);
    const first = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    expectStep(nm(32, 1, 32), ones(32), 0, { units: [], indices: [0] });
    expectStep(nm(32, 31, 32), ones(32), 0, { units: [], indices: first(31) });
    expectStep(nm(16, 4, 8), ones(16), 0, { units: [], indices: [0, 1, 2, 3, 8, 9, 10, 11] });
    expectStep(nm(7, 3, 5), ones(7), 0, { units: [], indices: [0, 1, 2, 5, 6] });
  });
  it('16:32 on one row of 32 keeps the 16 largest', () => {
    const g = Array.from({ length: 32 }, (_, i) => (i * 7) % 32);
    const want = g.map((v, i) => [v, i] as const).filter(([v]) => v >= 16).map(([, i]) => i);
    expectStep(nm(32, 16, 32), g, 0, { units: [], indices: want });
  });
});

describe('error feedback over two steps', () => {
  it('rows L1: the dropped row is carried and wins the next step', () => {
    const spec: StructuredSpec = { unit: 'row', rows: 2, cols: 2, score: 'l1' };
    for (const run of [
      (g: Float32Array, r?: Float32Array) => structuredStep({ gradient: g, residual: r, spec, k: 1 }),
      ...cores.map(([, core]) => (g: Float32Array, r?: Float32Array) => structuredStepWasm(core, { gradient: g, residual: r, spec, k: 1 })),
    ]) {
      const a = run(Float32Array.of(1, 1, 0, 3));
      assert.deepEqual(Array.from(a.selection.indices), [2, 3]);
      assert.deepEqual(Array.from(a.residual!), [1, 1, 0, 0]);
      const b = run(Float32Array.of(1, 1, 1, 0), a.residual);
      assert.deepEqual(Array.from(b.selection.units), [0]);
      assert.deepEqual(Array.from(b.selection.values), [2, 2]);
      assert.deepEqual(Array.from(b.residual!), [0, 0, 1, 0]);
    }
  });
  it('error feedback off: acc = g and no residual', () => {
    const spec: StructuredSpec = { unit: 'nm', cols: 4, N: 2, M: 4 };
    for (const [, core] of cores) {
      const out = structuredStepWasm(core, { gradient: Float32Array.of(1, -5, 2, 0), spec, k: 0, errorFeedback: false });
      assert.deepEqual(Array.from(out.selection.indices), [1, 2]);
      assert.equal(out.residual, undefined);
    }
  });
});

describe('bad input', () => {
  const specs: StructuredSpec[] = [
    block('l1'),
    { unit: 'channel', out: 3, inner: 5, score: 'l2' },
    { unit: 'head', rows: 3, cols: 5, heads: 3, layout: 'rows', score: 'l2' },
    { unit: 'head', rows: 3, cols: 5, heads: 5, layout: 'cols', score: 'importance', importance: new Float32Array(5) },
    { unit: 'row', rows: 3, cols: 5, score: 'max' },
    { unit: 'column', rows: 3, cols: 5, score: 'l1' },
    { unit: 'nm', cols: 5, N: 2, M: 4 },
  ];
  it('NaN, Infinity and an overflowing g + r give NonFiniteError at the first index, everywhere', () => {
    for (const spec of specs) {
      for (const [bad, at, residual] of [[NaN, 7, undefined], [-Infinity, 3, undefined], [3e38, 11, 3e38]] as const) {
        const g = Float32Array.from(B);
        g[at] = bad;
        if (residual === undefined) g[at + 2] = NaN; // a later bad value: the first one is reported
        const r = new Float32Array(15);
        r[at] = residual ?? 0;
        const k = spec.unit === 'nm' ? 0 : 1;
        assert.throws(() => structuredStep({ gradient: g, residual: r, spec, k }), (e: unknown) => e instanceof NonFiniteError && e.index === at);
        for (const [name, core] of cores) {
          assert.throws(() => structuredStepWasm(core, { gradient: g, residual: r, spec, k }),
            (e: unknown) => e instanceof NonFiniteError && e.index === at, `${name} ${spec.unit}`);
        }
      }
    }
  });
  it('invalid shapes and parameters are typed errors (reference and wasm)', () => {
    const g = new Float32Array(15);
    const cases: Array<[StructuredSpec, number, typeof ConfigError | typeof ShapeError]> = [
      [{ ...block('l1'), rows: 4 }, 1, ShapeError],
      [{ ...block('l1'), blockRows: 0 }, 1, ShapeError],
      [block('l1'), 7, ConfigError], // k > 6 blocks
      [block('l1'), -1, ConfigError],
      [{ ...block('l1'), score: 'l3' as 'l1' }, 1, ConfigError],
      [{ unit: 'head', rows: 3, cols: 5, heads: 2, layout: 'rows', score: 'l2' }, 1, ShapeError],
      [{ unit: 'head', rows: 3, cols: 5, heads: 3, layout: 'rows', score: 'importance' }, 1, ConfigError],
      [{ unit: 'head', rows: 3, cols: 5, heads: 3, layout: 'rows', score: 'importance', importance: Float32Array.of(1, NaN, 2) }, 1, ConfigError],
      [{ unit: 'nm', cols: 4, N: 2, M: 4 }, 0, ShapeError], // 4 does not divide 15
      [{ unit: 'nm', cols: 5, N: 3, M: 2 }, 0, ConfigError],
      [{ unit: 'nm', cols: 5, N: 2, M: 33 }, 0, ConfigError],
    ];
    for (const [spec, k, type] of cases) {
      assert.throws(() => structuredStep({ gradient: g, spec, k }), type, JSON.stringify(spec));
      for (const [, core] of cores) assert.throws(() => structuredStepWasm(core, { gradient: g, spec, k }), type, JSON.stringify(spec));
    }
  });
  it('the core itself refuses bad parameters with -2 and leaves s untouched', () => {
    for (const [name, core] of cores) {
      const x = structuredExports(core);
      const s = core.alloc(64);
      const r = core.alloc(64);
      core.f32(s, 16).set(Array.from({ length: 16 }, (_, i) => i));
      core.f32(r, 16).fill(1);
      const calls: Array<() => number> = [
        () => x.sg_block(s, r, 4, 4, 2, 2, 0, 5), // k > 4 blocks
        () => x.sg_block(s, r, 4, 4, 0, 2, 0, 1),
        () => x.sg_block(s, r, 0, 4, 1, 1, 0, 0),
        () => x.sg_block(s, r, 4, 4, 2, 2, 3, 1), // importance is head-only
        () => x.sg_block(s, r, 0x10000, 0x10001, 1, 1, 0, 1), // rows·cols ≥ 2^32
        () => x.sg_channel(s, r, 4, 0, 0, 1),
        () => x.sg_rows(s, r, 4, 4, 2, 0, 1),
        () => x.sg_head(s, r, 4, 4, 3, 0, 1, 0, 1),
        () => x.sg_head(s, r, 4, 4, 2, 2, 1, 0, 1),
        () => x.sg_head(s, r, 4, 4, 2, 0, 3, 0, 1), // importance pointer missing
        () => x.sg_nm(s, r, 16, 3, 2, 4),
        () => x.sg_nm(s, r, 16, 4, 5, 4),
        () => x.sg_nm(s, r, 16, 4, 2, 33),
      ];
      calls.forEach((call, j) => {
        assert.equal(call(), -2, `${name} call ${j}`);
        assert.equal(x.sg_unit_count(), 0);
        assert.deepEqual(Array.from(core.f32(s, 16)), Array.from({ length: 16 }, (_, i) => i), `${name} call ${j}: s untouched`);
      });
      const imp = core.alloc(8);
      core.f32(imp, 2).set([1, Infinity]);
      assert.equal(x.sg_head(s, r, 4, 4, 2, 0, 3, imp, 1), -2, `${name}: infinite importance`);
      core.free(imp);
      core.free(s);
      core.free(r);
    }
  });
});

describe('budget', () => {
  it('k from a density counts units (docs/selection.md rule)', () => {
    const spec = block('l1'); // 6 blocks
    assert.equal(structuredUnitCount(spec), 6);
    assert.equal(structuredK(spec, { density: 0.25 }), 2); // round(1.5) = 2
    assert.equal(structuredK(spec, { density: 0.01 }), 1);
    assert.equal(structuredK(spec, { density: 1 }), 6);
    assert.equal(structuredK(spec, { k: 4 }), 4);
    assert.throws(() => structuredK(spec, { k: 7 }), ConfigError);
    assert.throws(() => structuredK(spec, {}), ConfigError);
    assert.equal(structuredK({ unit: 'nm', cols: 4, N: 2, M: 4 }, {}), 0);
  });
});
