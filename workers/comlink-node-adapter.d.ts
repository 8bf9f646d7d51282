// Types of Comlink's Node adapter (the package ships them as node-adapter.d.ts, which TypeScript
// does not pick up for the .mjs path).
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  /** The subset of a Node MessagePort / Worker that the adapter uses. */
  export interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(type: string, listener: (...args: unknown[]) => void): void;
    off(type: string, listener: (...args: unknown[]) => void): void;
    start?: () => void;
  }
  /** Wraps a Node MessagePort or Worker as a Comlink endpoint. */
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
