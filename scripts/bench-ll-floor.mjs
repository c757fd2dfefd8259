// scripts/bench-ll-floor.mjs: bench:ll's floor: a bare node:http server that holds every request with _HLS_msn in a Map and, when told over IPC, answers each with one Buffer.
// Run by scripts/bench-ll.ts (fork); the least work any Node.js origin must do to hold and release requests.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const held = new Map();
let nextId = 0;
let body = Buffer.alloc(0);
let headers = {};

const server = createServer((req, res) => {
  if (!req.url.includes('_HLS_msn=')) {
    res.writeHead(404).end();
    return;
  }
  const id = nextId++;
  held.set(id, res);
  res.once('close', () => held.delete(id));
});
server.requestTimeout = 0;
server.keepAliveTimeout = 65_000;

process.on('message', (m) => {
  if (m.type === 'init') {
    body = Buffer.from(m.body, 'base64');
    headers = { ...m.headers, 'Content-Length': body.length };
  } else if (m.type === 'count') {
    if (m.gc) globalThis.gc?.();
    const mem = process.memoryUsage();
    process.send({ type: 'count', held: held.size, rss: mem.rss, heapUsed: mem.heapUsed });
  } else if (m.type === 'publish') {
    const t0 = performance.now();
    let answered = 0;
    for (const res of held.values()) {
      res.writeHead(200, headers);
      res.end(body);
      answered++;
    }
    held.clear();
    const t1 = performance.now();
    process.send({
      type: 'published',
      at: performance.timeOrigin + t0,
      publishMs: t1 - t0,
      loopMs: t1 - t0,
      answered,
    });
  } else if (m.type === 'exit') {
    server.closeAllConnections();
    server.close();
    process.exit(0);
  }
});

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port, rss: process.memoryUsage().rss });
});
