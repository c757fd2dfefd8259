// test/unit/uploader.test.ts: Uploader against a local HTTP origin: order (segments before the playlist), retries, bounded queue.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { memoryLogger } from '../../src/logger.js';
import { Uploader } from '../../src/upload/uploader.js';
import { freePort } from '../helpers/nginx.js';
import { tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

interface Seen {
  method: string;
  name: string;
  body: string;
}

describe('Uploader', () => {
  let origin: Server;
  let base: string;
  const seen: Seen[] = [];
  let failNext = 0;
  const dir = tempDir();

  before(async () => {
    origin = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        seen.push({ method: req.method ?? '', name: (req.url ?? '').slice(5), body });
        res.writeHead(req.method === 'PUT' ? 201 : 204).end();
      });
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    const a = origin.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hls/`;
  });

  after(() => new Promise<void>((r) => origin.close(() => r())));

  function segment(name: string): { kind: 'segment'; name: string; path: string } {
    const path = join(dir, name);
    writeFileSync(path, `bytes of ${name}`);
    return { kind: 'segment', name, path };
  }

  it('sends every segment before the playlist that lists it, retrying 503s in order', async () => {
    seen.length = 0;
    failNext = 3;
    const log = memoryLogger();
    const up = new Uploader({
      baseUrl: base,
      clock: systemClock,
      logger: log,
      backoff: { initialMs: 10, maxMs: 40 },
    });
    up.enqueue(segment('live-a-1.ts'));
    up.enqueue({ kind: 'playlist', name: 'live.m3u8', text: '#EXTM3U\nlive-a-1.ts\n' });
    up.enqueue(segment('live-a-2.ts'));
    up.enqueue({
      kind: 'playlist',
      name: 'live.m3u8',
      text: '#EXTM3U\nlive-a-1.ts\nlive-a-2.ts\n',
    });
    up.enqueue({ kind: 'delete', name: 'live-a-0.ts' });
    await up.idle();
    const order = seen.map((s) => `${s.method} ${s.name}`);
    // The first playlist may be superseded while the origin fails; what is sent keeps the order.
    for (const [i, s] of seen.entries()) {
      if (s.name !== 'live.m3u8') continue;
      for (const uri of s.body.split('\n').filter((l) => l.endsWith('.ts'))) {
        assert.ok(order.slice(0, i).includes(`PUT ${uri}`), `${uri} before ${order.join(', ')}`);
      }
    }
    assert.equal(seen.at(-2)?.body, '#EXTM3U\nlive-a-1.ts\nlive-a-2.ts\n');
    assert.equal(order.at(-1), 'DELETE live-a-0.ts');
    assert.equal(seen.find((s) => s.name === 'live-a-2.ts')?.body, 'bytes of live-a-2.ts');
    assert.equal(up.stats().failures, 3);
    assert.equal(up.stats().dropped, 0);
    assert.ok(log.lines.some((l) => /HTTP 503; will retry/.test(l.msg)));
    await up.close();
  });

  it('keeps a bounded queue while the origin is down, dropping the oldest with a log line', async () => {
    const log = memoryLogger();
    const down = `http://127.0.0.1:${await freePort()}/hls/`; // nothing listens there
    const up = new Uploader({
      baseUrl: down,
      clock: systemClock,
      logger: log,
      maxQueue: 3,
      backoff: { initialMs: 20, maxMs: 50 },
    });
    for (let i = 1; i <= 6; i++) up.enqueue(segment(`live-b-${i}.ts`));
    assert.equal(up.stats().queued, 3);
    assert.equal(up.stats().dropped, 3);
    assert.ok(log.lines.some((l) => l.level === 'warn' && /upload queue full \(3\)/.test(l.msg)));
    await waitFor(() => up.stats().failures >= 2, 'retries against the dead origin');
    await up.close(0);
  });

  it('skips a file the origin refuses (4xx) instead of holding the queue', async () => {
    seen.length = 0;
    const log = memoryLogger();
    const up = new Uploader({
      baseUrl: base,
      clock: systemClock,
      logger: log,
      fetch: async (url, init) => (url.endsWith('bad.ts') ? { status: 403 } : fetch(url, init)),
    });
    up.enqueue(segment('bad.ts'));
    up.enqueue(segment('good.ts'));
    await up.idle();
    assert.deepEqual(
      seen.map((s) => s.name),
      ['good.ts'],
    );
    assert.ok(log.lines.some((l) => l.level === 'error' && /HTTP 403; skipping/.test(l.msg)));
    await up.close();
  });
});
