/**
 * `compress --config FILE`: a JSON configuration (schedules, compensation, codes, per-tensor
 * overrides by name pattern) drives the step; flags override it; a bad configuration is bad input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createCompressor, type CompressorOptions } from '../../ts-api/index.ts';
import { decodeFrame } from '../../ts-api/codec/index.ts';
import { gradient, readBytes, runCli, runners, tempDir, writeF32 } from './helpers.ts';

for (const runner of runners()) {
  describe(`compress --config (${runner.label})`, () => {
    it('the configuration decides method, schedule, codes and overrides; frames equal the library', async () => {
      const { dir, cleanup } = tempDir();
      try {
        const config: CompressorOptions = {
          method: 'topk', warmupSteps: 1, schedule: { kind: 'dgc', stepsPerEpoch: 1 }, momentum: 0.9,
          tensors: { 'layer*': { values: 'f16', index: 'rice' } },
        };
        writeFileSync(join(dir, 'cfg.json'), JSON.stringify(config));
        const lib = await createCompressor(config);
        for (let st = 0; st < 3; st++) {
          const g = gradient(5000, 100 + st);
          writeF32(join(dir, 'layer1.f32'), g);
          const r = await runCli(runner, [
            'compress', join(dir, 'layer1.f32'), '-o', join(dir, `f${st}.sgd`), '--config', join(dir, 'cfg.json'),
            '--state', join(dir, 'ef.state'),
          ]);
          assert.equal(r.code, 0, r.stderr);
          const want = lib.encode(lib.step({ layer1: g }));
          assert.deepEqual(readBytes(join(dir, `f${st}.sgd`)), want, `step ${st}`);
          const t = decodeFrame(want).tensors[0]!;
          assert.equal(t.valueCode, 'f16');
          assert.equal(t.indexCode, 'rice');
          assert.equal(t.indices.length, [5000, 313, 78][st], 'warm-up, then DGC stages 0.0625 and 0.015625');
        }
        // A flag overrides the configuration.
        const r = await runCli(runner, ['compress', join(dir, 'layer1.f32'), '-o', join(dir, 'x.sgd'), '--config', join(dir, 'cfg.json'), '--values', 'bf16']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(decodeFrame(readBytes(join(dir, 'x.sgd'))).tensors[0]!.valueCode, 'bf16');
      } finally {
        cleanup();
      }
    });

    it('a bad configuration is bad input: exit 1, one line', async () => {
      const { dir, cleanup } = tempDir();
      try {
        writeF32(join(dir, 'g.f32'), gradient(100, 1));
        for (const [body, pattern] of [['{"method":"topk","density":3}', /density/], ['{not json', /not valid JSON/], ['[1]', /JSON object/], ['{"method":"topk","density":0.1,"bogus":1}', /unknown option 'bogus'/]] as const) {
          writeFileSync(join(dir, 'bad.json'), body);
          const r = await runCli(runner, ['compress', join(dir, 'g.f32'), '-o', join(dir, 'o.sgd'), '--config', join(dir, 'bad.json')]);
          assert.equal(r.code, 1, body);
          assert.match(r.stderr, pattern);
          assert.equal(r.stderr.trim().split('\n').length, 1);
        }
      } finally {
        cleanup();
      }
    });
  });
}
