// test/integration/hls-origin.test.ts: /hls answered before Express (hls-front.ts) over real HTTP: golden headers of the playlist (GET, HEAD, gzip, 304), segments and parts (GET, HEAD, Range, 304, 416), random ranges against the file, the cache's budget, files too big to hold, deletion, and what is left to Express.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { systemClock } from '../../src/clock.js';
import { createApp } from '../../src/http/app.js';
import { type HlsRouter, hlsRouter, SEGMENT_CACHE } from '../../src/http/hls-routes.js';
import { PLAYLIST_TYPE, SEGMENT_TYPE } from '../../src/hls/media-types.js';
import { nullLogger } from '../../src/logger.js';
import { seededRandom } from '../../src/random.js';
import { ManualFeed } from '../helpers/manual-feed.js';
import { makeTs } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
after(() => keepAlive.destroy());

/** One request (raw path, as sent); the body as bytes, never decoded. */
function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes a whole TS file to the ingest port and hangs up. */
function publishBytes(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.end(bytes));
    sock.on('close', () => resolve());
    sock.on('error', reject);
  });
}

const segmentsOf = (text: string): string[] =>
  text.split('\n').filter((l) => l.endsWith('.ts') && !l.startsWith('#'));

describe(
  '/hls on the live server (startServer, real ingest, LL-HLS on)',
  { timeout: 60_000 },
  () => {
    let s: TestServer;
    let text: string;
    let seg: string;
    let onDisk: Buffer;

    before(async () => {
      s = await startTestServer({ segmentDurationSec: 1 });
      await publishBytes(s.ingestPort, readFileSync(await makeTs('mp3', 6)));
      await waitFor(() => !s.packager.getStatus().ingest.connected, 'the publisher is gone');
      text = await waitFor(async () => {
        const r = await get(s.baseUrl, '/hls/live.m3u8');
        return r.status === 200 && segmentsOf(r.body.toString()).length >= 3
          ? r.body.toString()
          : null;
      }, 'three segments listed');
      // The publisher is gone: let the last publish settle, then take the playlist as it stays.
      await new Promise((r) => setTimeout(r, 300));
      text = (await get(s.baseUrl, '/hls/live.m3u8')).body.toString();
      seg = segmentsOf(text).at(-1) ?? '';
      onDisk = readFileSync(join(s.cfg.out, seg));
    });
    after(() => s.close());

    it('playlist GET: the feed text from memory, with its golden headers', async () => {
      const r = await get(s.baseUrl, '/hls/live.m3u8');
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), s.packager.playlist('no'));
      assert.equal(r.headers['content-type'], PLAYLIST_TYPE);
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.equal(r.headers['access-control-allow-origin'], '*');
      assert.equal(r.headers['access-control-expose-headers'], 'Age, Content-Length, Date');
      assert.equal(r.headers['content-length'], String(r.body.length));
      assert.equal(r.headers.vary, 'Accept-Encoding');
      assert.equal(r.headers['content-encoding'], undefined);
      assert.match(r.headers.etag ?? '', /^"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
      assert.ok(r.headers.date);
      assert.equal(r.headers['x-powered-by'], undefined);
    });

    it('playlist HEAD: the same headers, no body', async () => {
      const g = await get(s.baseUrl, '/hls/live.m3u8');
      const h = await get(s.baseUrl, '/hls/live.m3u8', {}, 'HEAD');
      assert.equal(h.status, 200);
      assert.equal(h.body.length, 0);
      for (const name of ['content-type', 'content-length', 'etag', 'cache-control', 'vary']) {
        assert.equal(h.headers[name], g.headers[name], name);
      }
    });

    it('playlist gzip: for a client that asks, with its own ETag and length', async () => {
      const plain = await get(s.baseUrl, '/hls/live.m3u8');
      const gz = await get(s.baseUrl, '/hls/live.m3u8', { 'accept-encoding': 'gzip, deflate' });
      assert.equal(gz.status, 200);
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gz.headers.vary, 'Accept-Encoding');
      assert.equal(gz.headers['content-length'], String(gz.body.length));
      assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
      assert.notEqual(gz.headers.etag, plain.headers.etag);
      const refused = await get(s.baseUrl, '/hls/live.m3u8', { 'accept-encoding': 'gzip;q=0' });
      assert.equal(refused.headers['content-encoding'], undefined);
    });

    it('playlist 304: If-None-Match with its ETag, and 200 for the other encoding', async () => {
      const g = await get(s.baseUrl, '/hls/live.m3u8');
      const etag = g.headers.etag ?? '';
      const nm = await get(s.baseUrl, '/hls/live.m3u8', { 'if-none-match': etag });
      assert.equal(nm.status, 304);
      assert.equal(nm.body.length, 0);
      assert.equal(nm.headers.etag, etag);
      assert.equal(nm.headers['cache-control'], 'no-cache');
      assert.equal(nm.headers.vary, 'Accept-Encoding');
      assert.equal(nm.headers['access-control-allow-origin'], '*');
      const head = await get(s.baseUrl, '/hls/live.m3u8', { 'if-none-match': etag }, 'HEAD');
      assert.equal(head.status, 304);
      const other = await get(s.baseUrl, '/hls/live.m3u8', {
        'if-none-match': etag,
        'accept-encoding': 'gzip',
      });
      assert.equal(other.status, 200);
      assert.equal(other.headers['content-encoding'], 'gzip');
    });

    it('playlist: a bad delivery directive is 400 naming it', async () => {
      const r = await get(s.baseUrl, '/hls/live.m3u8?_HLS_part=1');
      assert.equal(r.status, 400);
      assert.match(r.body.toString(), /_HLS_part/);
      assert.equal(r.headers['access-control-allow-origin'], '*');
    });

    it('segment GET and HEAD: the file, with its golden headers', async () => {
      const r = await get(s.baseUrl, `/hls/${seg}`);
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(onDisk));
      assert.equal(r.body[0], 0x47);
      assert.equal(r.headers['content-type'], SEGMENT_TYPE);
      assert.equal(r.headers['cache-control'], SEGMENT_CACHE);
      assert.equal(r.headers['access-control-allow-origin'], '*');
      assert.equal(r.headers['accept-ranges'], 'bytes');
      assert.equal(r.headers['content-length'], String(onDisk.length));
      assert.match(r.headers.etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
      assert.ok(Number.isFinite(Date.parse(r.headers['last-modified'] ?? '')));
      const h = await get(s.baseUrl, `/hls/${seg}`, {}, 'HEAD');
      assert.equal(h.status, 200);
      assert.equal(h.body.length, 0);
      assert.equal(h.headers['content-length'], String(onDisk.length));
      assert.equal(h.headers.etag, r.headers.etag);
    });

    it('a part GET: the part file from the directory', async () => {
      const part = /#EXT-X-PART:[^\n]*URI="([^"]+)"/.exec(text)?.[1];
      assert.ok(part, 'the playlist lists a part');
      const r = await get(s.baseUrl, `/hls/${part}`);
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(readFileSync(join(s.cfg.out, part))));
      assert.equal(r.headers['content-type'], SEGMENT_TYPE);
    });

    it('segment Range: first bytes, open-ended, suffix (206), past the end (416)', async () => {
      const n = onDisk.length;
      const cases: [string, number, number][] = [
        ['bytes=0-187', 0, 187],
        ['bytes=188-', 188, n - 1],
        ['bytes=-188', n - 188, n - 1],
        [`bytes=${n - 10}-${n + 1000}`, n - 10, n - 1],
      ];
      for (const [range, start, end] of cases) {
        const r = await get(s.baseUrl, `/hls/${seg}`, { range });
        assert.equal(r.status, 206, range);
        assert.equal(r.headers['content-range'], `bytes ${start}-${end}/${n}`, range);
        assert.equal(r.headers['content-length'], String(end - start + 1), range);
        assert.equal(r.headers['content-type'], SEGMENT_TYPE);
        assert.ok(r.body.equals(onDisk.subarray(start, end + 1)), range);
      }
      const bad = await get(s.baseUrl, `/hls/${seg}`, { range: `bytes=${n}-` });
      assert.equal(bad.status, 416);
      assert.equal(bad.headers['content-range'], `bytes */${n}`);
      const several = await get(s.baseUrl, `/hls/${seg}`, { range: 'bytes=0-1,5-6' });
      assert.equal(several.status, 200);
      assert.equal(several.body.length, n);
      const etag = several.headers.etag ?? '';
      assert.equal(
        (await get(s.baseUrl, `/hls/${seg}`, { range: 'bytes=0-9', 'if-range': etag })).status,
        206,
      );
      assert.equal(
        (await get(s.baseUrl, `/hls/${seg}`, { range: 'bytes=0-9', 'if-range': '"x"' })).status,
        200,
      );
    });

    it('segment 304: If-None-Match and If-Modified-Since', async () => {
      const r = await get(s.baseUrl, `/hls/${seg}`);
      const inm = await get(s.baseUrl, `/hls/${seg}`, { 'if-none-match': r.headers.etag ?? '' });
      assert.equal(inm.status, 304);
      assert.equal(inm.body.length, 0);
      assert.equal(inm.headers.etag, r.headers.etag);
      assert.equal(inm.headers['cache-control'], SEGMENT_CACHE);
      const ims = await get(s.baseUrl, `/hls/${seg}`, {
        'if-modified-since': r.headers['last-modified'] ?? '',
      });
      assert.equal(ims.status, 304);
      const older = await get(s.baseUrl, `/hls/${seg}`, {
        'if-modified-since': new Date(0).toUTCString(),
      });
      assert.equal(older.status, 200);
    });

    it('for random ranges over a real segment, the bytes are the file slice', async () => {
      const rnd = seededRandom(7);
      const n = onDisk.length;
      for (let i = 0; i < 150; i++) {
        const a = Math.floor(rnd() * n);
        const b = a + Math.floor(rnd() * (n - a + 50));
        const form = i % 3;
        const range =
          form === 0 ? `bytes=${a}-${b}` : form === 1 ? `bytes=${a}-` : `bytes=-${b - a + 1}`;
        const start = form === 2 ? Math.max(0, n - (b - a + 1)) : a;
        const end = form === 0 ? Math.min(b, n - 1) : n - 1;
        const r = await get(s.baseUrl, `/hls/${seg}`, { range });
        assert.equal(r.status, 206, range);
        assert.equal(r.headers['content-range'], `bytes ${start}-${end}/${n}`, range);
        assert.ok(r.body.equals(onDisk.subarray(start, end + 1)), range);
      }
    });

    it('nothing outside --out, no dotfiles, 404 for what is not there, 405 and OPTIONS as before', async () => {
      writeFileSync(join(s.cfg.out, '.hidden.ts'), 'x');
      for (const path of [
        '/hls/..%2fstate/state.json',
        '/hls/%2e%2e/segments/' + seg,
        '/hls/.hidden.ts',
        '/hls/a%00.ts',
        '/hls/a%5c..%5cb.ts',
        '/hls/%E0%A4%A.ts',
        `/hls/${'a'.repeat(2000)}.ts`,
        '/hls/nope.ts',
        '/hls/',
        '/hls/nope',
      ]) {
        const r = await get(s.baseUrl, path);
        assert.equal(r.status, 404, path);
        assert.doesNotMatch(r.body.toString(), /at .*\.ts:\d+/, 'no stack trace');
      }
      const post = await get(s.baseUrl, `/hls/${seg}`, {}, 'POST');
      assert.equal(post.status, 405);
      assert.equal(post.headers.allow, 'GET, HEAD, OPTIONS');
      const pre = await get(s.baseUrl, `/hls/${seg}`, { origin: 'https://x.example' }, 'OPTIONS');
      assert.equal(pre.status, 204);
      assert.equal(pre.headers['access-control-allow-origin'], '*');
      assert.equal(pre.headers['access-control-allow-headers'], 'Range');
      assert.equal(pre.headers['access-control-allow-methods'], 'GET, HEAD, OPTIONS');
    });
  },
);

const servers: Server[] = [];
afterEach(async () => {
  for (const sv of servers.splice(0)) {
    sv.closeAllConnections();
    await new Promise<void>((r) => sv.close(() => r()));
  }
});

interface Front {
  base: string;
  dir: string;
  hls: HlsRouter;
  /** Request URLs that reached Express. */
  express: string[];
}

/** hlsRouter's front over a directory, Express behind it, on 127.0.0.1 port 0. */
async function serveDir(opts: {
  budgetBytes: number;
  maxFileBytes: number;
  recheckMs?: number;
  /** A feed with LL-HLS on, writing its parts into the directory. */
  lowLatency?: boolean;
}): Promise<Front & { feed: ManualFeed }> {
  const dir = mkdtempSync(join(tmpdir(), 'shls-origin-'));
  const feed = new ManualFeed(
    opts.lowLatency
      ? {
          lowLatency: { partTargetSec: 0.25, targetDurationSec: 1, canSkipUntilSec: 6 },
          partsPerSegment: 4,
          dir,
        }
      : { lowLatency: null, partsPerSegment: 4, dir: null },
  );
  const hls = hlsRouter({
    stream: 'live',
    outDir: dir,
    feed,
    clock: systemClock,
    segmentCache: { budgetBytes: opts.budgetBytes, maxFileBytes: opts.maxFileBytes },
    segmentRecheckMs: opts.recheckMs,
  });
  const app = createApp({ mounts: [{ path: '/hls', router: hls.router }], logger: nullLogger });
  const express: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) =>
    hls.front(req, res, () => {
      express.push(req.url ?? '');
      app(req, res);
    }),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return { base: `http://127.0.0.1:${port}`, dir, hls, express, feed };
}

/** Cuts a real ffmpeg TS file into n files of whole packets in dir; returns their bytes by name. */
async function writeSegments(dir: string, n: number): Promise<Map<string, Buffer>> {
  const all = readFileSync(await makeTs('mp3', 10));
  const per = Math.floor(all.length / n / 188) * 188;
  const out = new Map<string, Buffer>();
  for (let i = 0; i < n; i++) {
    const name = `live-x-${i}.ts`;
    const bytes = all.subarray(i * per, (i + 1) * per);
    writeFileSync(join(dir, name), bytes);
    out.set(name, bytes);
  }
  return out;
}

describe('/hls segment cache (hls-front.ts over a directory)', { timeout: 60_000 }, () => {
  it('stays under its budget with many segments, and every one still serves whole', async () => {
    const probe = await serveDir({ budgetBytes: 1, maxFileBytes: 1 });
    const files = await writeSegments(probe.dir, 40);
    const size = files.values().next().value?.length ?? 0;
    const f = await serveDir({ budgetBytes: size * 5 + 100, maxFileBytes: size * 2 });
    for (const [name, bytes] of files) writeFileSync(join(f.dir, name), bytes);
    const rnd = seededRandom(3);
    const names = [...files.keys()];
    for (let i = 0; i < 200; i++) {
      const name = names[Math.floor(rnd() * names.length)] ?? '';
      const r = await get(f.base, `/hls/${name}`);
      assert.equal(r.status, 200, name);
      assert.ok(r.body.equals(files.get(name) ?? Buffer.alloc(0)), name);
      assert.ok(f.hls.cache.bytes <= size * 5 + 100, `${f.hls.cache.bytes} bytes held`);
    }
    assert.ok(f.hls.cache.size >= 4 && f.hls.cache.size <= 5, `${f.hls.cache.size} held`);
    assert.ok(f.hls.cache.counts.evictions > 0);
    assert.ok(f.hls.cache.counts.hits > 0);
    assert.deepEqual(f.express, []);
  });

  it('a thousand requests for a new segment at once read it once', async () => {
    const f = await serveDir({ budgetBytes: 2 ** 20, maxFileBytes: 2 ** 20 });
    const files = await writeSegments(f.dir, 4);
    const [name, bytes] = [...files][0] ?? ['', Buffer.alloc(0)];
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    try {
      const replies = await Promise.all(
        Array.from(
          { length: 1000 },
          () =>
            new Promise<Buffer>((resolve, reject) => {
              request(`${f.base}/hls/${name}`, { agent }, (res) => {
                const c: Buffer[] = [];
                res.on('data', (d: Buffer) => c.push(d));
                res.on('end', () => resolve(Buffer.concat(c)));
              })
                .on('error', reject)
                .end();
            }),
        ),
      );
      for (const r of replies) assert.ok(r.equals(bytes));
      assert.equal(f.hls.cache.counts.fills, 1);
    } finally {
      agent.destroy();
    }
  });

  it('a published part, and the newest segment, are read into memory before anyone asks for them', async () => {
    const f = await serveDir({ budgetBytes: 2 ** 20, maxFileBytes: 2 ** 20, lowLatency: true });
    f.feed.publish(); // live-0.0.ts; the hint moves to live-0.1.ts
    f.feed.publish(); // live-0.1.ts is listed now
    await waitFor(() => f.hls.cache.has('live-0.1.ts'), 'the part read ahead');
    const fills = f.hls.cache.counts.fills;
    const r = await get(f.base, '/hls/live-0.1.ts');
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(readFileSync(join(f.dir, 'live-0.1.ts'))));
    assert.equal(f.hls.cache.counts.fills, fills, 'answered from memory, not read again');
    assert.equal(f.hls.cache.has('live-0.2.ts'), false, 'the hinted part is not there yet');
    // The segment: read once its playlist text is first asked for, before its URI is known.
    writeFileSync(join(f.dir, 'live-0.ts'), readFileSync(await makeTs('mp3', 1)));
    f.feed.publish();
    f.feed.publish(); // live-0.3.ts: segment live-0.ts is cut and listed
    assert.equal(f.hls.cache.has('live-0.ts'), false);
    const pl = await get(f.base, '/hls/live.m3u8');
    assert.match(pl.body.toString(), /^live-0\.ts$/m);
    await waitFor(() => f.hls.cache.has('live-0.ts'), 'the segment read ahead');
  });

  it('a file too big to hold is streamed from disk: GET, HEAD, Range, 304', async () => {
    const f = await serveDir({ budgetBytes: 2 ** 20, maxFileBytes: 1000 });
    const src = await makeTs('mp3', 10);
    copyFileSync(src, join(f.dir, 'big.ts'));
    const bytes = readFileSync(src);
    const r = await get(f.base, '/hls/big.ts');
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(bytes));
    assert.equal(r.headers['content-length'], String(bytes.length));
    assert.equal(r.headers['content-type'], SEGMENT_TYPE);
    assert.equal(f.hls.cache.size, 0);
    const h = await get(f.base, '/hls/big.ts', {}, 'HEAD');
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
    assert.equal(h.headers['content-length'], String(bytes.length));
    const part = await get(f.base, '/hls/big.ts', { range: 'bytes=1000-4999' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 1000-4999/${bytes.length}`);
    assert.ok(part.body.equals(bytes.subarray(1000, 5000)));
    const nm = await get(f.base, '/hls/big.ts', { 'if-none-match': r.headers.etag ?? '' });
    assert.equal(nm.status, 304);
    assert.equal((await get(f.base, '/hls/big.ts', { range: 'bytes=-0' })).status, 416);
  });

  it('a deleted segment is 404, and a file that appears later serves', async () => {
    const f = await serveDir({ budgetBytes: 2 ** 20, maxFileBytes: 2 ** 20, recheckMs: 50 });
    const files = await writeSegments(f.dir, 2);
    const [name, bytes] = [...files][0] ?? ['', Buffer.alloc(0)];
    assert.equal((await get(f.base, `/hls/${name}`)).status, 200);
    assert.equal(f.hls.cache.size, 1);
    rmSync(join(f.dir, name));
    await waitFor(
      async () => (await get(f.base, `/hls/${name}`)).status === 404,
      'the deleted segment is 404',
      2000,
    );
    assert.equal(f.hls.cache.size, 0);
    assert.equal((await get(f.base, '/hls/later.ts')).status, 404);
    writeFileSync(join(f.dir, 'later.ts'), bytes);
    const later = await get(f.base, '/hls/later.ts');
    assert.equal(later.status, 200);
    assert.ok(later.body.equals(bytes));
  });

  it('leaves the time-shift playlist (?start=&end=) and files that are not segments to Express', async () => {
    const f = await serveDir({ budgetBytes: 2 ** 20, maxFileBytes: 2 ** 20 });
    writeFileSync(join(f.dir, 'other.m3u8'), '#EXTM3U\n');
    await get(f.base, '/hls/live.m3u8?start=2026-12-02T18:00:00Z&end=2026-12-02T18:10:00Z');
    await get(f.base, '/hls/live.m3u8?end=x');
    const other = await get(f.base, '/hls/other.m3u8');
    assert.equal(other.status, 200);
    assert.equal(other.body.toString(), '#EXTM3U\n');
    assert.equal((await get(f.base, '/hls/live.m3u8')).status, 404); // no text yet
    assert.equal((await get(f.base, '/hls/live.m3u8?x=1')).status, 404);
    assert.deepEqual(f.express, [
      '/hls/live.m3u8?start=2026-12-02T18:00:00Z&end=2026-12-02T18:10:00Z',
      '/hls/live.m3u8?end=x',
      '/hls/other.m3u8',
    ]);
  });
});
