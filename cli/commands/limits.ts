/**
 * The decoding limits shared by `decode` and `inspect` (`--max-elements N`, `--max-bytes N`).
 */
import { ConfigError } from '../../ts-api/index.ts';
import type { DecodeLimits } from '../../ts-api/codec/index.ts';
import type { FlagSpecs, ParsedArgs } from '../args.ts';

/** Flag specs of the decoding limits. */
export const LIMIT_FLAGS: FlagSpecs = {
  'max-elements': { kind: 'number' },
  'max-bytes': { kind: 'number' },
};

/**
 * The DecodeLimits given on the command line.
 * @throws ConfigError when a limit is not a non-negative integer.
 */
export function limitsFrom(args: ParsedArgs): DecodeLimits {
  const limits: DecodeLimits = {};
  for (const [flag, key] of [['max-elements', 'maxElements'], ['max-bytes', 'maxBytes']] as const) {
    const v = args.number(flag);
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) throw new ConfigError(`--${flag} must be a non-negative integer, got ${v}`);
    limits[key] = v;
  }
  return limits;
}
