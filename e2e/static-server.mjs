// A plain static file server for dist/ (what any static host does), optionally with the two
// cross-origin isolation headers (COOP/COEP, all a static host must send). Used by e2e to prove
// the build needs nothing from Vite at run time.
// usage: node e2e/static-server.mjs <dir> <port> [--isolate]
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { contentType, REQUIRED_ISOLATION_HEADERS } from '../src/node/http-headers.mjs';

const [dir = 'dist', port = '4174', flag] = process.argv.slice(2);
const root = resolve(dir);
createServer((req, res) => {
  const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
  let file = normalize(join(root, url));
  if (!file.startsWith(root)) return void res.writeHead(403).end();
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) {
    console.error(`404 ${url}`);
    return void res.writeHead(404).end('not found');
  }
  const isolation = flag === '--isolate' ? REQUIRED_ISOLATION_HEADERS : {};
  res.writeHead(200, { 'Content-Type': contentType(file), ...isolation });
  createReadStream(file).pipe(res);
}).listen(Number(port), '127.0.0.1', () => console.log(`serving ${root} on http://127.0.0.1:${port}`));
