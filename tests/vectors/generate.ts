/**
 * Writes the golden vectors: `node --import tsx tests/vectors/generate.ts`.
 * valid/<name>.bin + valid/<name>.json (encoder input and expected decoded content),
 * invalid/<name>.bin + invalid/<name>.json (expected FormatError code and offset), manifest.json.
 * The files are the golden data: regenerate only deliberately (a format change), and review the diff.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORMAT_VERSION } from '../../ts-api/codec/ids.ts';
import { buildVectors } from './cases.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** JSON with 2-space indentation but arrays of scalars on one line. */
function stringify(x: unknown): string {
  return JSON.stringify(x, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_m, body: string) => `[${body.split(/,\s+/).join(', ')}]`) + '\n';
}

const { valid, invalid } = buildVectors();
for (const sub of ['valid', 'invalid']) {
  const dir = join(here, sub);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) rmSync(join(dir, f));
}
for (const v of valid) {
  writeFileSync(join(here, 'valid', `${v.name}.bin`), v.bytes);
  const store = v.masks !== undefined ? { masks: v.masks, masksAfter: v.masksAfter } : {};
  writeFileSync(join(here, 'valid', `${v.name}.json`), stringify({ description: v.description, encode: v.encode, ...store, decoded: v.decoded }));
}
for (const v of invalid) {
  writeFileSync(join(here, 'invalid', `${v.name}.bin`), v.bytes);
  writeFileSync(join(here, 'invalid', `${v.name}.json`), stringify({
    code: v.code, offset: v.offset, ...(v.limits ? { limits: v.limits } : {}), ...(v.masks ? { masks: v.masks } : {}),
  }));
}
writeFileSync(join(here, 'manifest.json'), stringify({
  formatVersion: FORMAT_VERSION,
  spec: 'docs/wire-format.md',
  valid: valid.map((v) => v.name),
  invalid: invalid.map((v) => v.name),
}));
console.log(`wrote ${valid.length} valid and ${invalid.length} invalid vectors to ${here}`);
