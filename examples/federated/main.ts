/**
 * Federated-training demo (`npm run demo`): FederatedAveraging (McMahan et al., AISTATS 2017) of a
 * small MLP on the UCI digits, run twice on one schedule — dense f32 uploads versus sparse uploads
 * (each client's own sparsegrad compressor: top-k with error feedback, Stich et al. 2018 / Seide et
 * al. 2014, as in Deep Gradient Compression, Lin et al. 2018), encoded as wire frames that the
 * server decodes as untrusted input. Prints per-round accuracy and upload bytes, then a summary.
 *
 *   node --import tsx examples/federated/main.ts [--rounds 100] [--clients 10] [--density 0.01]
 *     [--method topk] [--values f16] [--seed 1] [--non-iid] [--no-error-feedback] [--hidden 64]
 *     [--local-steps 10] [--batch-size 16] [--lr 0.2] [--every 1]
 */
import { parseArgs } from 'node:util';
import { VALUE_CODE_NAMES, METHOD_NAMES, type ValueCodeName } from '../../ts-api/codec/index.ts';
import type { Method } from '../../ts-api/types.ts';
import { DEFAULTS, runFederated, validateConfig, type FederatedConfig, type RoundStats } from './simulate.ts';

const USAGE = `usage: node --import tsx examples/federated/main.ts [options]
  --rounds N            communication rounds (default ${DEFAULTS.rounds})
  --clients N           clients, all participating every round (default ${DEFAULTS.clients})
  --density D           fraction of each tensor sent per round (default ${DEFAULTS.density})
  --method M            ${METHOD_NAMES.join(' | ')} (default ${DEFAULTS.method})
  --values V            value code: ${VALUE_CODE_NAMES.join(' | ')} (default ${DEFAULTS.values})
  --seed S              seed of split, init, minibatches and compressors (default ${DEFAULTS.seed})
  --non-iid             label-skewed split: 2 label-sorted shards per client
  --no-error-feedback   drop what is not sent instead of carrying it over
  --hidden H            hidden units of the MLP (default ${DEFAULTS.hidden})
  --local-steps E       local SGD steps per round (default ${DEFAULTS.localSteps})
  --batch-size B        local minibatch size (default ${DEFAULTS.batchSize})
  --lr LR               local learning rate (default ${DEFAULTS.lr})
  --every N             print every N-th round (default 1)`;

/** Parses the command line into a configuration (defaults from {@link DEFAULTS}) and a print period. */
export function parseCli(argv: string[]): { config: FederatedConfig; every: number } | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string' }, clients: { type: 'string' }, density: { type: 'string' }, method: { type: 'string' },
      values: { type: 'string' }, seed: { type: 'string' }, 'non-iid': { type: 'boolean' }, 'no-error-feedback': { type: 'boolean' },
      hidden: { type: 'string' }, 'local-steps': { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' },
      every: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) return 'help';
  const num = (s: string | undefined, d: number, flag: string): number => {
    if (s === undefined) return d;
    const x = Number(s);
    if (s.trim() === '' || !Number.isFinite(x)) throw new Error(`--${flag}: not a number: '${s}'`);
    return x;
  };
  if (v.method !== undefined && !(METHOD_NAMES as readonly string[]).includes(v.method)) {
    throw new Error(`--method: expected one of ${METHOD_NAMES.join(', ')}, got '${v.method}'`);
  }
  if (v.values !== undefined && !(VALUE_CODE_NAMES as readonly string[]).includes(v.values)) {
    throw new Error(`--values: expected one of ${VALUE_CODE_NAMES.join(', ')}, got '${v.values}'`);
  }
  const config: FederatedConfig = {
    ...DEFAULTS,
    rounds: num(v.rounds, DEFAULTS.rounds, 'rounds'),
    clients: num(v.clients, DEFAULTS.clients, 'clients'),
    density: num(v.density, DEFAULTS.density, 'density'),
    method: (v.method as Method | undefined) ?? DEFAULTS.method,
    values: (v.values as ValueCodeName | undefined) ?? DEFAULTS.values,
    seed: num(v.seed, DEFAULTS.seed, 'seed'),
    nonIid: v['non-iid'] ?? DEFAULTS.nonIid,
    errorFeedback: !(v['no-error-feedback'] ?? false),
    hidden: num(v.hidden, DEFAULTS.hidden, 'hidden'),
    localSteps: num(v['local-steps'], DEFAULTS.localSteps, 'local-steps'),
    batchSize: num(v['batch-size'], DEFAULTS.batchSize, 'batch-size'),
    lr: num(v.lr, DEFAULTS.lr, 'lr'),
  };
  const every = num(v.every, 1, 'every');
  if (!Number.isInteger(every) || every < 1) throw new Error(`--every must be a positive integer, got ${every}`);
  validateConfig(config);
  return { config, every };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(6);
const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const { config: c, every } = parsed;
  const t0 = performance.now();
  console.log(
    `FedAvg on UCI digits: ${c.clients} clients (${c.nonIid ? 'non-IID, 2 label shards each' : 'IID'}), MLP 64-${c.hidden}-10, ` +
      `${c.rounds} rounds x ${c.localSteps} local SGD steps (batch ${c.batchSize}, lr ${c.lr}), seed ${c.seed}`,
  );
  console.log(
    `sparse: ${c.method} at density ${c.density}, error feedback ${c.errorFeedback ? 'on' : 'off'}, frames with index code auto, values ${c.values}; ` +
      `dense: raw f32 updates`,
  );
  console.log('round  dense  sparse  dense B/client  sparse B/client  ratio');
  const row = (s: RoundStats): void => {
    if (s.round % every !== 0 && s.round !== c.rounds) return;
    const sb = mean(s.frameBytes);
    console.log(
      `${String(s.round).padStart(5)} ${pct(s.denseAccuracy)} ${pct(s.sparseAccuracy)}  ${String(s.denseBytesPerClient).padStart(14)}  ` +
        `${sb.toFixed(1).padStart(15)}  ${(s.denseBytesPerClient / sb).toFixed(1).padStart(5)}x${s.rejected ? `  (${s.rejected} frames rejected)` : ''}`,
    );
  };
  let r: Awaited<ReturnType<typeof runFederated>>;
  try {
    r = await runFederated(c, { onRound: row });
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `data: ${r.testSize} test rows, clients hold ${Math.min(...r.clientSizes)}..${Math.max(...r.clientSizes)} rows; model: ${r.params} parameters; ${secs.toFixed(1)} s`,
  );
  console.log(
    `final accuracy: dense ${pct(r.denseAccuracy).trim()} vs sparse ${pct(r.sparseAccuracy).trim()} ` +
      `(${((r.sparseAccuracy - r.denseAccuracy) * 100).toFixed(1)} points); upload: dense ${r.denseBytes} B vs sparse ${r.sparseBytes} B ` +
      `(all clients, all rounds) = ${r.ratio.toFixed(1)}x less`,
  );
}

await main();
