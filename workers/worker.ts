/**
 * The worker entry (bundled by scripts/build.mjs to dist/worker.mjs): one file for Node
 * worker_threads, Deno workers (started through Deno's node:worker_threads, with web messaging
 * globals inside) and browser module workers. In Deno and browsers `Comlink.expose`
 * runs synchronously at the top of the module, before any await — a message that arrives before
 * the listener exists would be lost there. Node's parentPort queues messages until a listener is
 * attached, so the Node branch may import `node:worker_threads` first.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createHost } from './host.ts';

const g = globalThis as unknown as {
  Deno?: unknown;
  process?: { versions?: { node?: string }; exit(code: number): never };
  reportError?: (e: unknown) => void;
  postMessage?: unknown;
};
const isNode = g.Deno === undefined && typeof g.process?.versions?.node === 'string' && typeof g.postMessage !== 'function';

if (!isNode) {
  const api = createHost({
    exit() {
      // A web worker has no exit status: raise an uncaught error (the parent's Worker gets an
      // 'error' event and the pool terminates this worker), and never reply.
      const e = new Error('worker exited (injected fault)');
      if (typeof g.reportError === 'function') g.reportError(e);
      for (;;) { /* spin until terminated */ }
    },
  });
  Comlink.expose(api);
} else {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) throw new Error('dist/worker.mjs must run as a worker');
  const api = createHost({ exit: () => g.process!.exit(1) });
  Comlink.expose(api, nodeEndpoint(parentPort as unknown as Parameters<typeof nodeEndpoint>[0]));
}
