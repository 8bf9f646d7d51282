/**
 * Runs the AssemblyScript unit tests (assembly/__tests__/*.spec.ts) inside node:test: each spec is
 * compiled with the asc compiler API, once with SIMD and once without, and every exported `test_*`
 * function becomes a test. An AS assert() failure aborts with its file and line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';

const dir = 'assembly/__tests__';
const specs = readdirSync(dir).filter((f) => f.endsWith('.spec.ts'));
assert.ok(specs.length > 0, 'no AssemblyScript specs found');

async function compile(file: string, simd: boolean): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const stderr: string[] = [];
  const { error } = await asc.main(
    [join(dir, file), '--runtime', 'minimal', '-O1', '--outFile', 'out.wasm', ...(simd ? ['--enable', 'simd'] : ['--disable', 'simd'])],
    {
      writeFile: (name: string, contents: Uint8Array | string) => {
        if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
      },
      stderr: { write: (s: string | Uint8Array) => (stderr.push(String(s)), true) },
      stdout: { write: () => true },
    } as never,
  );
  if (error) throw new Error(`asc failed for ${file}: ${error.message}\n${stderr.join('')}`);
  assert.ok(binary, 'asc produced no binary');
  return binary;
}

for (const file of specs) {
  for (const simd of [true, false]) {
    test(`${file} (${simd ? 'SIMD' : 'scalar'} build)`, async (t) => {
      const bytes = await compile(file, simd);
      let memory: WebAssembly.Memory | undefined;
      const text = (p: number): string => {
        if (!p || !memory) return '?';
        const len = new Uint32Array(memory.buffer, p - 4, 1)[0]! >>> 1;
        return String.fromCharCode(...new Uint16Array(memory.buffer, p, len));
      };
      const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), {
        env: {
          abort: (msg: number, f: number, line: number, col: number) => {
            throw new Error(`AS assertion failed: ${text(msg)} at ${text(f)}:${line}:${col}`);
          },
        },
      });
      memory = instance.exports.memory as WebAssembly.Memory;
      const names = Object.keys(instance.exports).filter((n) => n.startsWith('test_'));
      assert.ok(names.length > 0, `${file} exports no test_ functions`);
      for (const name of names) {
        await t.test(name, () => {
          (instance.exports[name] as () => void)();
        });
      }
    });
  }
}
