/**
 * The workers of a pool: start, call with a bounded wait, notice death, replace. Every call races
 * the worker's death (and an optional time limit), so a worker that exits, throws an uncaught
 * error, is terminated or hangs never leaves a caller waiting: the call rejects with a
 * {@link WorkerError} and the worker is marked dead until {@link Pool.replace} starts a fresh one.
 */
import * as Comlink from 'comlink';
import { SparsegradError } from '../ts-api/errors.ts';
import { buildHash } from '../ts-api/backends/wasm/core.ts';
import { spawnWorker, type Runtime, type WorkerHandle } from './adapters.ts';
import type { HostApi, HostInfo, HostInit } from './protocol.ts';

/** A worker died, hung, or the pool was closed; `code` E_WORKER (E_CLOSED after close()). */
export class WorkerError extends SparsegradError {
  /** The worker's index in the pool (-1 when not about one worker). */
  readonly worker: number;
  constructor(message: string, worker = -1, code = 'E_WORKER') {
    super(code, message);
    this.worker = worker;
  }
}

/** One worker of the pool. */
export class WorkerSlot {
  /** Why the worker is dead, or null while it is alive. */
  dead: string | null = null;
  /** Piece keys this worker has been told about (their shared snapshot buffers were sent). */
  readonly known = new Set<string>();
  info: HostInfo | null = null;
  private inflight = 0;
  private readonly death: Promise<never>;
  private markDead!: (reason: string) => void;

  constructor(
    readonly index: number,
    readonly handle: WorkerHandle,
    readonly remote: Comlink.Remote<HostApi>,
    private readonly timeoutMs: number | undefined,
  ) {
    this.death = new Promise<never>((_, reject) => {
      this.markDead = (reason) => {
        if (this.dead === null) this.dead = reason;
        reject(new WorkerError(`worker ${index} ${this.dead}`, index));
      };
    });
    this.death.catch(() => {});
    void handle.died.then((reason) => this.markDead(reason));
  }

  /** Marks the worker dead (it is terminated; in-flight calls reject). */
  kill(reason: string): void {
    this.markDead(reason);
    void this.handle.terminate().catch(() => {});
  }

  /** Calls the worker; rejects with a WorkerError if it dies or exceeds the time limit first. */
  async call<R>(what: string, f: (remote: Comlink.Remote<HostApi>) => Promise<R>, limitMs = this.timeoutMs): Promise<R> {
    if (this.dead !== null) throw new WorkerError(`worker ${this.index} ${this.dead}`, this.index);
    if (this.inflight++ === 0) this.handle.setActive(true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const racers: Array<Promise<R>> = [f(this.remote), this.death];
    if (limitMs !== undefined) {
      const ms = limitMs;
      racers.push(new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.kill(`did not answer ${what} within ${ms} ms`);
          reject(new WorkerError(`worker ${this.index} ${this.dead}`, this.index));
        }, ms);
      }));
    }
    try {
      return await Promise.race(racers);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (--this.inflight === 0 && this.dead === null) this.handle.setActive(false);
    }
  }
}

/** How long a starting worker may take to load its module and answer init. */
const INIT_LIMIT_MS = 60_000;

/** Options of the pool's workers. */
export interface PoolConfig {
  size: number;
  url: URL;
  runtime: Runtime;
  init: HostInit;
  timeoutMs?: number;
}

/** The pool's workers, each replaceable. */
export class Pool {
  readonly slots: WorkerSlot[] = [];
  private closed = false;
  private generation = 0;

  private constructor(private readonly config: PoolConfig) {}

  /** Starts `size` workers and initialises them (in parallel). */
  static async start(config: PoolConfig): Promise<Pool> {
    const pool = new Pool(config);
    try {
      const slots = await Promise.all(Array.from({ length: config.size }, (_, i) => pool.startOne(i)));
      pool.slots.push(...slots);
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private async startOne(index: number): Promise<WorkerSlot> {
    const { url, runtime, init, timeoutMs } = this.config;
    let handle: WorkerHandle;
    try {
      handle = await spawnWorker(url, runtime, `sparsegrad-${index}.${this.generation++}`);
    } catch (e) {
      throw new WorkerError(`cannot start a worker from ${url.href}: ${(e as Error).message}`, index);
    }
    const slot = new WorkerSlot(index, handle, Comlink.wrap<HostApi>(handle.endpoint), timeoutMs);
    try {
      slot.info = await slot.call('init', (r) => r.init(init), Math.max(timeoutMs ?? 0, INIT_LIMIT_MS));
    } catch (e) {
      slot.kill('failed to start');
      const hint = runtime === 'deno' ? ' (Deno needs --allow-read for the worker script)' : '';
      throw new WorkerError(`worker ${index} failed to start from ${url.href}${hint}: ${(e as Error).message}`, index);
    }
    if (slot.info.buildHash !== buildHash) {
      slot.kill('has another build');
      throw new WorkerError(
        `${url.href} embeds another build of the Wasm core (${slot.info.buildHash.slice(0, 12)}) than this code ` +
          `(${buildHash.slice(0, 12)}); rebuild it with \`npm run build\``,
        index,
      );
    }
    return slot;
  }

  /** Throws if the pool was closed. */
  checkOpen(): void {
    if (this.closed) throw new WorkerError('the worker pool is closed', -1, 'E_CLOSED');
  }

  /** Ends worker `index` (if still running) and starts a fresh one in its place. */
  async replace(index: number): Promise<WorkerSlot> {
    this.checkOpen();
    const old = this.slots[index]!;
    if (old.dead === null) old.kill('was replaced');
    else void old.handle.terminate().catch(() => {});
    const slot = await this.startOne(index);
    if (this.closed) {
      slot.kill('pool closed');
      this.checkOpen();
    }
    this.slots[index] = slot;
    return slot;
  }

  /** The runtime the workers run on. */
  get runtime(): Runtime {
    return this.config.runtime;
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Terminates every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map(async (s) => {
      s.kill('was closed with the pool');
      await s.handle.terminate().catch(() => {});
    }));
  }
}
