// scripts/bench-http-floor.mjs: bench:http's Node.js floor: a bare node:http server answering /hls/live.m3u8 and any /hls/*.ts with the bytes and headers scanner-hls sent, from memory.
// Run by scripts/bench-http.ts (fork); the least work any Node.js origin must do to serve HLS: no routing, no files, no validation.
import { createServer } from 'node:http';

let playlist = { body: Buffer.alloc(0), headers: {} };
let segment = { body: Buffer.alloc(0), headers: {} };

const server = createServer((req, res) => {
  const r = req.url.endsWith('.m3u8') ? playlist : req.url.endsWith('.ts') ? segment : null;
  if (r === null) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, r.headers);
  res.end(r.body);
});
server.keepAliveTimeout = 65_000;

const loaded = (m) => {
  const body = Buffer.from(m.body, 'base64');
  return { body, headers: { ...m.headers, 'Content-Length': body.length } };
};

const stop = () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
};

process.on('message', (m) => {
  if (m.type === 'init') {
    playlist = loaded(m.playlist);
    segment = loaded(m.segment);
    process.send({ type: 'loaded' });
  } else if (m.type === 'exit') stop();
});
// bench-http.ts stops it with SIGTERM: exit normally, so --cpu-prof writes its profile.
process.on('SIGTERM', stop);

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port });
});
