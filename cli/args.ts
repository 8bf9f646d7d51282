/**
 * A small, strict command-line parser for the `sparsegrad` CLI. Each command declares its flags;
 * anything else (an unknown flag, a flag given twice, a missing or malformed value) is a
 * {@link UsageError}, which the CLI reports with exit code 2 and a hint to run `--help`.
 *
 * Accepted forms: `--flag value`, `--flag=value`, `-o value`, boolean `--flag`, positionals, and `--`
 * (everything after it is positional). A value may start with a single `-` (e.g. `-1`) but not `--`.
 * This parser checks syntax; each command checks the ranges that do not depend on the input
 * (density in (0, 1], k a non-negative integer, ...) as usage errors, while what depends on the
 * input (k larger than the tensor, ...) is reported by the library as bad input (exit code 1).
 */

/** Bad command-line usage: reported with exit code 2 and a `--help` hint. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How a flag takes its value. */
export type FlagKind = 'string' | 'number' | 'boolean';

/** Declaration of one long flag (its name without the leading `--`). */
export interface FlagSpec {
  /** `string` and `number` take a value; `boolean` takes none. */
  kind: FlagKind;
  /** One-letter alias, used as `-x` (without the dash here). */
  short?: string;
  /** For `string` flags: the accepted values. */
  choices?: readonly string[];
}

/** Flags of a command, by long name. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** A decimal number: optional sign, digits with an optional fraction, optional exponent. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a decimal number strictly (no hex, no `Infinity`, no empty string).
 * @throws UsageError naming `what` when `text` is not a finite decimal number.
 */
export function parseNumber(text: string, what: string): number {
  const x = Number(text);
  if (!NUMBER.test(text) || !Number.isFinite(x)) throw new UsageError(`${what} expects a number, got '${text}'`);
  return x;
}

/**
 * Parses a comma-separated list of non-negative integers, e.g. `--shape 10,100`.
 * @throws UsageError when an entry is not a run of decimal digits.
 */
export function parseIntList(text: string, what: string): number[] {
  const parts = text.split(',');
  if (parts.some((p) => !/^\d+$/.test(p.trim()))) {
    throw new UsageError(`${what} expects comma-separated non-negative integers, got '${text}'`);
  }
  return parts.map((p) => Number(p.trim()));
}

/** The result of {@link parseArgs}: positionals and the flags that were given. */
export class ParsedArgs {
  /** Positional arguments in order. */
  readonly positionals: string[];
  private readonly values: Map<string, string | number | true>;

  /** @internal Use parseArgs. */
  constructor(positionals: string[], values: Map<string, string | number | true>) {
    this.positionals = positionals;
    this.values = values;
  }

  /** Whether the flag was given. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The value of a `string` flag, or undefined. */
  string(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  /** The value of a `number` flag, or undefined. */
  number(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }

  /** Whether a `boolean` flag was given. */
  flag(name: string): boolean {
    return this.values.get(name) === true;
  }

  /**
   * The positionals, checked against a list of required names (e.g. `['IN']`).
   * @throws UsageError when there are fewer or more positionals than names.
   */
  expectPositionals(command: string, names: readonly string[]): string[] {
    if (this.positionals.length < names.length) {
      throw new UsageError(`${command}: missing ${names.slice(this.positionals.length).join(' ')}`);
    }
    if (this.positionals.length > names.length) {
      throw new UsageError(`${command}: unexpected argument '${this.positionals[names.length]}'`);
    }
    return this.positionals;
  }
}

function display(name: string, spec: FlagSpec | undefined): string {
  return spec?.short !== undefined ? `-${spec.short}/--${name}` : `--${name}`;
}

/**
 * Parses a command's arguments (everything after the command name) against its flag specs.
 * @throws UsageError on an unknown flag, a repeated flag, a missing value, a value given to a
 *   boolean flag, a malformed number, or a value outside a flag's choices.
 */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, command: string): ParsedArgs {
  const positionals: string[] = [];
  const values = new Map<string, string | number | true>();
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short !== undefined) shorts.set(spec.short, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      if (!Object.hasOwn(specs, name)) throw new UsageError(`${command}: unknown option '--${name}'`);
    } else if (arg.length > 1 && arg.startsWith('-') && !NUMBER.test(arg)) {
      const short = arg.slice(1);
      name = shorts.get(short);
      if (name === undefined) throw new UsageError(`${command}: unknown option '${arg}'`);
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = specs[name]!;
    const label = display(name, spec);
    if (values.has(name)) throw new UsageError(`${command}: option ${label} given more than once`);
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`${command}: option ${label} takes no value`);
      values.set(name, true);
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${command}: option ${label} needs a value`);
      text = next;
      i++;
    }
    if (spec.kind === 'number') {
      values.set(name, parseNumber(text, `${command}: option ${label}`));
      continue;
    }
    if (spec.choices !== undefined && !spec.choices.includes(text)) {
      throw new UsageError(`${command}: option ${label} must be one of ${spec.choices.join(', ')}, got '${text}'`);
    }
    values.set(name, text);
  }
  return new ParsedArgs(positionals, values);
}
