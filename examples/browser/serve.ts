/**
 * Serves the browser example on http://127.0.0.1:8080/ with the COOP/COEP headers that make the
 * page cross-origin isolated (SharedArrayBuffer for inputs and snapshots).
 *
 *   npm run build && node --import tsx examples/browser/serve.ts [port]
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = normalize(join(fileURLToPath(new URL('.', import.meta.url)), '../..'));
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript' };
const port = Number(process.argv[2] ?? 8080);

createServer((req, res) => {
  let path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (path === '/') path = '/examples/browser/index.html';
  const file = normalize(join(root, path));
  const allowed = [join(root, 'dist') + sep, join(root, 'examples', 'browser') + sep].some((d) => file.startsWith(d));
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  if (!allowed) {
    res.writeHead(404, headers).end('not found');
    return;
  }
  readFile(file).then(
    (body) => res.writeHead(200, { ...headers, 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }).end(body),
    () => res.writeHead(404, headers).end('not found'),
  );
}).listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/`));
