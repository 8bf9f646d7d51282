/**
 * Benchmark results: machine description, git commit, an aligned console table, and the JSON file
 * `bench/results/<question>-<UTC date>-<short commit>.json` written by the script (never by hand).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchArgs } from './args.ts';
import { isPartial } from './args.ts';

/** One table cell / JSON field value. */
export type Cell = string | number | boolean | null;

/** One result row: named cells, plus optional arrays (e.g. the raw samples). */
export type Row = Record<string, Cell | number[]>;

/** The machine a result was measured on. */
export interface MachineInfo {
  os: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  v8: string;
}

/** Describe this machine (os, cpu model from `os.cpus()`, cores, memory, Node and V8 versions). */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()}`,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    v8: process.versions.v8,
  };
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * `git rev-parse --short HEAD`, with the suffix `-uncommitted` when the working tree differs from
 * it (tracked or untracked changes; bench/results/ itself is ignored for this). `nocommit` when
 * the repository has no commit yet, `nogit` when git is unavailable.
 */
export function gitCommit(): string {
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head === null) return git(['rev-parse', '--git-dir']) === null ? 'nogit' : 'nocommit';
  const status = git(['status', '--porcelain', '--', '.', ':(exclude)bench/results']);
  return status !== null && status.length > 0 ? `${head}-uncommitted` : head;
}

/** Today's date in UTC, `YYYY-MM-DD`. */
export function utcDate(d: Date = new Date()): string {
  return d.toISOString().slice(0, 10);
}

/** A column of {@link printTable}. */
export interface Column {
  /** Row key to show. */
  key: string;
  /** Header text (defaults to the key). */
  header?: string;
  /** Formatter (defaults: numbers with up to 3 significant decimals, null as '-'). */
  format?: (v: Cell | number[] | undefined, row: Row) => string;
}

/** Default cell formatting: '-' for missing, fixed decimals scaled to the magnitude for numbers. */
export function formatCell(v: Cell | number[] | undefined): string {
  if (v === undefined || v === null) return '-';
  if (Array.isArray(v)) return `[${v.length}]`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return v.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : 3);
  }
  return String(v);
}

/** Print rows as an aligned table: text left-aligned, numbers right-aligned. */
export function printTable(rows: Row[], columns: Column[], log: (line: string) => void = console.log): void {
  const cells = rows.map((r) => columns.map((c) => (c.format ? c.format(r[c.key], r) : formatCell(r[c.key]))));
  const heads = columns.map((c) => c.header ?? c.key);
  const numeric = columns.map((c) => rows.some((r) => typeof r[c.key] === 'number'));
  const widths = heads.map((h, j) => Math.max(h.length, ...cells.map((row) => row[j]!.length)));
  const line = (vals: string[]): string =>
    vals.map((v, j) => (numeric[j] ? v.padStart(widths[j]!) : v.padEnd(widths[j]!))).join('  ').trimEnd();
  log(line(heads));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) log(line(row));
}

/** Everything one question's JSON result file holds. */
export interface ResultFile {
  question: string;
  title: string;
  /** ISO-8601 UTC time the file was written. */
  date: string;
  commit: string;
  machine: MachineInfo;
  args: BenchArgs;
  /** Whether the run was `--quick` or otherwise narrower than the default matrix. */
  quick: boolean;
  partial: boolean;
  /** Free-form facts about the run (skipped rows, loaded binaries, seeds). */
  notes: string[];
  /** Targets evaluated in this run (PASS/MISS), if the question has any. */
  targets: Row[];
  rows: Row[];
}

/**
 * Write `bench/results/<question>-<UTC date>-<commit>.json` (with `-quick` / `-partial` before
 * `.json` for narrower runs, so they never overwrite a full run's file). Returns the path written.
 */
export function writeResults(
  question: string,
  title: string,
  args: BenchArgs,
  rows: Row[],
  notes: string[] = [],
  targets: Row[] = [],
): string {
  const now = new Date();
  const commit = gitCommit();
  const partial = isPartial(args);
  const file: ResultFile = {
    question,
    title,
    date: now.toISOString(),
    commit,
    machine: machineInfo(),
    args,
    quick: args.quick,
    partial,
    notes,
    targets,
    rows,
  };
  const suffix = args.quick ? '-quick' : partial ? '-partial' : '';
  mkdirSync(resultsDir, { recursive: true });
  const path = `${resultsDir}${question}-${utcDate(now)}-${commit}${suffix}.json`;
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}

/** A bench's notes: `note(s)` prints `note: s` and keeps s for the result file's `notes`. */
export function noteLog(): { notes: string[]; note: (s: string) => void } {
  const notes: string[] = [];
  const note = (s: string): void => {
    notes.push(s);
    console.log(`note: ${s}`);
  };
  return { notes, note };
}

/** One line describing the machine and commit, printed at the top of each question. */
export function describeRun(): string {
  const m = machineInfo();
  return `machine: ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os} ${m.arch}, Node ${m.node}; commit ${gitCommit()}`;
}
