/**
 * The ratio table of README.md ("Why a 64-unit hidden layer and f16 values"): one frame of a
 * client's update at 1% density (top-k, index code 'auto'), with seeded random update values,
 * against the raw dense f32 bytes of the model, for several hidden sizes and value codes. Prints
 * the table's Markdown rows; tests/demo/federated.test.ts checks the README against them.
 *
 *   node --import tsx examples/federated/ratios.ts
 */
import { pathToFileURL } from 'node:url';
import { createCompressor } from '../../ts-api/index.ts';
import type { ValueCodeName } from '../../ts-api/codec/index.ts';
import { initParams, paramCount, tensorShapes, TENSOR_NAMES } from './model.ts';
import { rng } from './prng.ts';

/** Hidden sizes and value codes of the table (rows, columns). */
export const RATIO_HIDDEN = [32, 64, 128] as const;
export const RATIO_VALUES: readonly ValueCodeName[] = ['f32', 'f16'];

/** Dense f32 bytes over the bytes of one frame at `density` with random update values. */
export async function frameRatio(hidden: number, values: ValueCodeName, density = 0.01, seed = 1): Promise<number> {
  const shapes = tensorShapes(hidden);
  const c = await createCompressor({
    method: 'topk', density, seed, values, index: 'auto',
    tensors: Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, { shape }])),
  });
  try {
    const r = rng(seed);
    const update = TENSOR_NAMES.map((name) => {
      const n = shapes[name].reduce((a, b) => a * b, 1);
      return [name, Float32Array.from({ length: n }, () => (r() - 0.5) * r())] as [string, Float32Array];
    });
    const frame = c.encode(c.step(update, { step: 1 }));
    return (4 * paramCount(initParams(hidden, 0))) / frame.length;
  } finally {
    c.dispose();
  }
}

/** The table's Markdown body rows: `| 32 (2410 params) | 34× | 41× |`. */
export async function ratioRows(): Promise<string[]> {
  const rows: string[] = [];
  for (const hidden of RATIO_HIDDEN) {
    const cells = await Promise.all(RATIO_VALUES.map(async (v) => `${Math.round(await frameRatio(hidden, v))}×`));
    rows.push(`| ${hidden} (${paramCount(initParams(hidden, 0))} params) | ${cells.join(' | ')} |`);
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`| hidden | ${RATIO_VALUES.map((v) => `${v} values`).join(' | ')} |`);
  console.log(`|---|${RATIO_VALUES.map(() => '---|').join('')}`);
  for (const row of await ratioRows()) console.log(row);
}
