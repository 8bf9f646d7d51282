/**
 * The pool's operation queue: operations (steps, residual and state calls) run one at a time in
 * submission order — a step needs the residuals of the step before — and at most `limit` may be
 * in the queue (running or waiting). A caller that submits while the queue is full waits for room
 * before its operation is accepted: that is the backpressure that keeps a fast producer from piling
 * up copies of its tensors.
 */

/** Bounded FIFO of async operations, run one at a time. */
export class OpQueue {
  private inQueue = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly admitters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private closedWith: unknown = null;

  /** @param limit most operations in the queue at once (running included), at least 1. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`queue limit must be an integer >= 1, got ${limit}`);
  }

  /** Operations in the queue (running or waiting to run). */
  get size(): number {
    return this.inQueue;
  }

  /** Callers waiting for room. */
  get waiting(): number {
    return this.admitters.length;
  }

  /** Takes a place now if there is room (synchronously); false when full. */
  tryAdmit(): boolean {
    if (this.closedWith !== null) throw this.closedWith;
    if (this.inQueue >= this.limit) return false;
    this.inQueue++;
    return true;
  }

  /** Waits for a place (FIFO among waiters). */
  admit(): Promise<void> {
    if (this.tryAdmit()) return Promise.resolve();
    return new Promise((resolve, reject) => this.admitters.push({ resolve, reject }));
  }

  /** Runs `op` after every operation queued before it; call only after taking a place. */
  run<T>(op: () => Promise<T>): Promise<T> {
    const p = this.tail.then(op);
    this.tail = p.then(
      () => this.release(),
      () => this.release(),
    );
    return p;
  }

  private release(): void {
    const next = this.admitters.shift();
    if (next) next.resolve(); // hand the place over
    else this.inQueue--;
  }

  /** Rejects every waiting caller with `error`; later admissions throw it. */
  close(error: unknown): void {
    this.closedWith = error;
    for (const a of this.admitters.splice(0)) a.reject(error);
  }
}
