/**
 * Deno entry of the parity test (bundled to dist/parity-deno.mjs): prints the Deno lines, one per
 * line on stdout. Run: `deno run --allow-read dist/parity-deno.mjs`.
 */
import { runtimeLines } from './lines.ts';

for (const line of await runtimeLines('deno')) console.log(line);
