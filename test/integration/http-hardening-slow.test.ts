// test/integration/http-hardening-slow.test.ts: slow clients against the real server: 2,000 slowloris sockets do not delay a listener's playlist and are closed by the headers timeout; a reader at 1 byte/s is dropped; memory stays bounded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SERVER_LIMITS } from '../../src/http/server-limits.js';
import { type publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startLoopingFeed } from '../helpers/looping-feed.js';
import { waitFor } from '../helpers/wait.js';

const SLOW_SOCKETS = 2000;
/** The slowloris pace: one header byte every 10 s. */
const SLOW_BYTE_MS = 10_000;
/** Shortened for the slow reader test only; the header and request timeouts are the defaults. */
const KEEP_ALIVE_MS = 3000;
const MB = 1024 * 1024;

let server: TestServer;
let publisher: ReturnType<typeof publishLive> | null = null;

before(async () => {
  server = await startTestServer(
    { segmentDurationSec: 1 },
    { extras: { serverLimits: { keepAliveTimeoutMs: KEEP_ALIVE_MS } } },
  );
  publisher = await startLoopingFeed(server);
});

after(async () => {
  if (publisher) await stopProcess(publisher);
  await server?.close();
});

/** One GET of the playlist on a kept-alive connection: its time in ms and status. */
function timedGet(
  agent: Agent,
  port: number,
  path: string,
): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

/** Server-side TCP connections to port from the client port, by state ('01' ESTABLISHED), from /proc/net/tcp. */
function serverSideStates(serverPort: number, clientPort: number): string[] {
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hex(serverPort)}`) && f[2]?.endsWith(`:${hex(clientPort)}`))
    .map((f) => f[3] ?? '');
}

describe('slow clients', () => {
  test('2,000 slowloris sockets: the playlist still answers within 50 ms, and they are closed by headersTimeout', async () => {
    const port = server.httpPort;
    const rss0 = process.memoryUsage().rss;
    let rssMax = rss0;
    const header = Buffer.from('GET /hls/live.m3u8 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const slow: { s: Socket; closedAt: number; answer: string; startedAt: number }[] = [];
    const timers: NodeJS.Timeout[] = [];
    // Open in batches so the accept queue is not the bottleneck being measured.
    for (let b = 0; b < SLOW_SOCKETS; b += 200) {
      await Promise.all(
        Array.from(
          { length: Math.min(200, SLOW_SOCKETS - b) },
          () =>
            new Promise<void>((resolve) => {
              const entry = {
                s: connect(port, '127.0.0.1'),
                closedAt: 0,
                answer: '',
                startedAt: 0,
              };
              let sent = 0;
              entry.s.on('connect', () => {
                entry.startedAt = Date.now();
                entry.s.write(header.subarray(sent, ++sent));
                const t = setInterval(() => {
                  if (!entry.s.destroyed && sent < header.length)
                    entry.s.write(header.subarray(sent, ++sent));
                }, SLOW_BYTE_MS);
                timers.push(t);
                resolve();
              });
              entry.s.on('data', (d: Buffer) => (entry.answer += d.toString('latin1')));
              entry.s.on('error', () => {});
              entry.s.on('close', () => (entry.closedAt = Date.now()));
              slow.push(entry);
            }),
        ),
      );
    }
    assert.equal(
      slow.filter((e) => e.startedAt > 0).length,
      SLOW_SOCKETS,
      'every slow socket connected',
    );
    const openedAt = Date.now();

    // A listener polls the playlist all the while on one kept-alive connection.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const times: number[] = [];
    while (
      slow.some((e) => e.closedAt === 0) &&
      Date.now() - openedAt < SERVER_LIMITS.headersTimeoutMs + 8000
    ) {
      const r = await timedGet(agent, port, '/hls/live.m3u8');
      assert.equal(r.status, 200);
      times.push(r.ms);
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      await new Promise((w) => setTimeout(w, 25));
    }
    agent.destroy();
    for (const t of timers) clearInterval(t);
    const open = slow.filter((e) => e.closedAt === 0);
    for (const e of open) e.s.destroy();

    const p99 = percentile(times, 99);
    const p50 = percentile(times, 50);
    const latest = Math.max(...slow.map((e) => (e.closedAt || Date.now()) - e.startedAt));
    const answered408 = slow.filter((e) => /^HTTP\/1\.1 408 /.test(e.answer)).length;
    console.log(
      `slowloris: ${times.length} playlist GETs, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms; ` +
        `${SLOW_SOCKETS - open.length}/${SLOW_SOCKETS} slow sockets closed (${answered408} with 408), last after ${latest} ms; ` +
        `RSS +${((rssMax - rss0) / MB).toFixed(1)} MB`,
    );
    assert.equal(open.length, 0, `${open.length} slow sockets still open`);
    assert.ok(times.length >= 100, `${times.length} playlist GETs`);
    assert.ok(p99 <= 50, `playlist p99 ${p99.toFixed(1)} ms under 2,000 slow sockets`);
    // Closed by headersTimeout (checked every connectionsCheckingInterval), not by chance.
    assert.ok(
      latest <= SERVER_LIMITS.headersTimeoutMs + SERVER_LIMITS.connectionsCheckingIntervalMs + 3000,
      `last closed after ${latest} ms`,
    );
    assert.ok(answered408 >= SLOW_SOCKETS * 0.95, `${answered408} slow sockets were told 408`);
    assert.ok(rssMax - rss0 < 100 * MB, `RSS grew ${((rssMax - rss0) / MB).toFixed(1)} MB`);
  });

  test('a reader at 1 byte/s is dropped by the server in bounded time', async () => {
    const port = server.httpPort;
    const rss0 = process.memoryUsage().rss;
    const playlist = await (await fetch(`${server.baseUrl}/hls/live.m3u8`)).text();
    const segment = playlist.split('\n').find((l) => l.endsWith('.ts'));
    assert.ok(segment, 'a segment is listed');
    const big = ['/hls/' + segment.replace(/^.*\//, ''), '/vendor/hls.min.js'];
    for (const path of big) {
      const s = connect(port, '127.0.0.1');
      await new Promise<void>((r) => s.once('connect', () => r()));
      const clientPort = s.localPort ?? 0;
      s.pause();
      s.on('error', () => {});
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      let got = 0;
      const trickle = setInterval(() => {
        const b = s.read(1) as Buffer | null;
        if (b) got += b.length;
      }, 1000);
      const t0 = Date.now();
      try {
        await waitFor(
          () => serverSideStates(port, clientPort).length > 0,
          'the server side of the socket',
          3000,
        );
        await waitFor(
          () => !serverSideStates(port, clientPort).includes('01'),
          `the server to drop the 1 byte/s reader of ${path}`,
          Math.max(KEEP_ALIVE_MS, SERVER_LIMITS.stallMs) + 5000,
        );
      } finally {
        clearInterval(trickle);
        s.destroy();
      }
      const ms = Date.now() - t0;
      console.log(`slow reader of ${path}: read ${got} B, dropped by the server after ${ms} ms`);
      assert.ok(got < 100, `the reader read ${got} B`);
    }
    assert.ok(process.memoryUsage().rss - rss0 < 100 * MB);
  });
});
