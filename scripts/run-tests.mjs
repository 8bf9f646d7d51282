#!/usr/bin/env node
// Runs every tests/**/*.test.ts with node's test runner (TypeScript through tsx). Node 20's
// --test takes no globs, so the files are listed here. Extra arguments pass through.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const files = find('tests').sort();
if (files.length === 0) {
  console.error('error: no test files found under tests/');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
