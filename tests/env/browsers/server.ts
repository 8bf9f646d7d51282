/**
 * A static file server for browser tests: binds 127.0.0.1 on a free port, serves files under one
 * root directory and generated pages, and sends COOP/COEP headers so pages are cross-origin
 * isolated (SharedArrayBuffer available). Started and stopped by each test.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript', '.js': 'text/javascript', '.html': 'text/html; charset=utf-8', '.json': 'application/json',
  '.wasm': 'application/wasm', '.map': 'application/json',
};

/** A running server. */
export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves `root` (only paths under `prefix`, e.g. /dist/) and the generated `pages` (path → HTML).
 */
export async function startServer(root: string, prefix: string, pages: Record<string, string>): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    const headers: Record<string, string> = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (status: number, type: string, body: string | Uint8Array): void => {
      res.writeHead(status, { ...headers, 'Content-Type': type });
      res.end(body);
    };
    if (path === '/favicon.ico') return send(204, 'text/plain', '');
    if (pages[path] !== undefined) return send(200, TYPES['.html']!, pages[path]!);
    if (!path.startsWith(prefix)) return send(404, 'text/plain', 'not found');
    const file = normalize(join(root, path));
    if (!file.startsWith(normalize(root) + sep)) return send(403, 'text/plain', 'forbidden');
    readFile(file).then(
      (body) => send(200, TYPES[extname(file)] ?? 'application/octet-stream', body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
