// test/unit/http/hardening.test.ts: the hardened HTTP surface's decisions: the slow-reader watchdog (on a real server), body limits, the control token check and ?src= origins.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import {
  allowedSrcOrigin,
  httpOriginOf,
  parseAllowedSource,
} from '../../../src/http/allowed-sources.js';
import {
  announcedBodyBytes,
  bodyLimitFor,
  CONTROL_BODY_LIMIT,
} from '../../../src/http/body-limit.js';
import { renderIndex } from '../../../src/http/page-routes.js';
import { SseStreams } from '../../../src/http/sse.js';
import { systemClock } from '../../../src/clock.js';
import express from 'express';
import { applyServerLimits, isStalled, SERVER_LIMITS } from '../../../src/http/server-limits.js';
import { seededRandom } from '../../../src/random.js';
import { isAuthorized } from '../../../src/scanner/control-token.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { waitFor } from '../../helpers/wait.js';

const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));

function randomToken(rnd: () => number, min = 8, max = 64): string {
  const n = min + Math.floor(rnd() * (max - min + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += PRINTABLE[Math.floor(rnd() * PRINTABLE.length)];
  return s;
}

describe('isStalled', () => {
  test('stalled exactly when bytes wait and the last drain is older than the bound', () => {
    const rnd = seededRandom(12);
    for (let i = 0; i < 2000; i++) {
      const pending = rnd() < 0.3 ? 0 : Math.floor(rnd() * 1e6);
      const stall = 1 + Math.floor(rnd() * 60_000);
      const last = Math.floor(rnd() * 1e9);
      const now = last + Math.floor(rnd() * 2 * stall);
      assert.equal(isStalled(pending, last, now, stall), pending > 0 && now - last > stall);
    }
  });

  test('defaults: finite header and request timeouts, headers first', () => {
    assert.ok(SERVER_LIMITS.headersTimeoutMs > 0 && SERVER_LIMITS.requestTimeoutMs > 0);
    // node: headersTimeout must not be longer than requestTimeout.
    assert.ok(SERVER_LIMITS.headersTimeoutMs <= SERVER_LIMITS.requestTimeoutMs);
    assert.ok(SERVER_LIMITS.stallMs > 0 && SERVER_LIMITS.keepAliveTimeoutMs > 0);
  });
});

/** A real server with the limits on a fake clock; handler decides each response. */
async function limitedServer(
  handler: (res: ServerResponse, path: string) => void,
  clock: FakeClock,
  stallMs: number,
) {
  const server = createServer((req, res) => handler(res, req.url ?? '/'));
  const watchdog = applyServerLimits(server, { stallMs }, { clock });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    watchdog,
    /** A raw client that sends one GET; it reads only when read is true. */
    request(path: string, read: boolean): Promise<Socket> {
      return new Promise((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
          resolve(s);
        });
        s.on('error', () => {});
        if (read) s.on('data', () => {});
        else s.pause();
      });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Writes chunks as fast as the socket takes them until the response closes. */
function flood(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

describe('SlowReaderWatchdog on a real server', () => {
  test('destroys a response whose reader stopped, keeps long responses that drain or wait', async () => {
    const clock = new FakeClock();
    const stallMs = 1000;
    const closed = new Map<string, boolean>();
    const beats = new Set<ServerResponse>();
    const srv = await limitedServer(
      (res, path) => {
        res.on('close', () => closed.set(path, true));
        if (path === '/flood') flood(res);
        else if (path === '/held') res.writeHead(200, { 'Content-Type': 'text/plain' });
        else {
          res.writeHead(200, { 'Content-Type': 'text/event-stream' });
          beats.add(res);
        }
      },
      clock,
      stallMs,
    );
    try {
      const stalled = await srv.request('/flood', false);
      const held = await srv.request('/held', false);
      const events = await srv.request('/events', true);
      await waitFor(() => srv.watchdog.size === 3, 'three watched responses');
      // Let the kernel buffers of the stopped reader fill: the flood then waits for drain.
      await new Promise((r) => setTimeout(r, 300));
      for (let step = 0; step < 10; step++) {
        for (const b of beats) b.write(': beat\n\n');
        await new Promise((r) => setTimeout(r, 20));
        await clock.advance(stallMs / 2);
      }
      await waitFor(() => closed.get('/flood'), 'the stopped reader to be dropped', 5000);
      assert.equal(srv.watchdog.dropped, 1);
      assert.equal(closed.get('/held'), undefined, 'a held response with nothing to send stays');
      assert.equal(closed.get('/events'), undefined, 'an event stream that drains stays');
      assert.equal(srv.watchdog.size, 2);
      for (const s of [stalled, held, events]) s.destroy();
    } finally {
      await srv.close();
    }
  });
});

describe('event streams', () => {
  test('a stream whose client stopped reading is dropped once its buffer passes the bound', async () => {
    const streams = new SseStreams({ clock: systemClock, maxBufferedBytes: 64 * 1024 });
    let closed = false;
    const app = express();
    app.get('/events', (_req, res) => {
      streams.start(res, () => (closed = true));
    });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const s = connect((server.address() as AddressInfo).port, '127.0.0.1');
    s.on('error', () => {});
    s.pause();
    s.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      await waitFor(() => streams.size === 1, 'the stream to open');
      const frame = `data: ${'x'.repeat(16 * 1024)}\n\n`;
      await waitFor(
        () => {
          streams.broadcast(frame);
          return closed;
        },
        'the unread stream to be dropped',
        10_000,
        5,
      );
      assert.equal(streams.size, 0);
    } finally {
      s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('body limits', () => {
  test('only scanner control takes a body, and at most CONTROL_BODY_LIMIT', () => {
    assert.equal(bodyLimitFor('POST', '/api/scanner/hold'), CONTROL_BODY_LIMIT);
    assert.equal(bodyLimitFor('PUT', '/api/scanner/channels/3'), CONTROL_BODY_LIMIT);
    for (const [m, p] of [
      ['GET', '/api/scanner/'],
      ['POST', '/api/status'],
      ['POST', '/hls/live.m3u8'],
      ['PUT', '/'],
      ['GET', '/api/calls'],
      ['DELETE', '/api/scanner/hold'],
      ['POST', '/api/scannerx/hold'],
    ]) {
      assert.equal(bodyLimitFor(m, p ?? ''), 0, `${m} ${p}`);
    }
  });

  test('the announced size: Content-Length, chunked is unbounded, none is 0', () => {
    assert.equal(announcedBodyBytes({}), 0);
    assert.equal(announcedBodyBytes({ 'content-length': '0' }), 0);
    assert.equal(announcedBodyBytes({ 'content-length': '10485760' }), 10485760);
    assert.equal(announcedBodyBytes({ 'transfer-encoding': 'chunked' }), Infinity);
    assert.equal(
      announcedBodyBytes({ 'transfer-encoding': 'chunked', 'content-length': '3' }),
      Infinity,
    );
    assert.equal(announcedBodyBytes({ 'content-length': 'x' }), Infinity);
  });
});

describe('isAuthorized', () => {
  test('only "Bearer <the token>" is accepted (seeded tokens and near misses)', () => {
    const rnd = seededRandom(7);
    for (let i = 0; i < 500; i++) {
      const token = randomToken(rnd);
      assert.ok(isAuthorized(`Bearer ${token}`, token));
      assert.ok(isAuthorized(`bearer ${token}`, token), 'the scheme is case-insensitive');
      const at = Math.floor(rnd() * token.length);
      const other = PRINTABLE.find((c) => c !== token[at]) ?? 'x';
      const misses = [
        token.slice(0, at) + other + token.slice(at + 1),
        token.slice(0, -1),
        `${token}x`,
        token.toUpperCase() === token ? `${token}a` : token.toUpperCase(),
        randomToken(rnd),
      ];
      for (const m of misses) if (m !== token) assert.ok(!isAuthorized(`Bearer ${m}`, token), m);
      for (const h of [
        token,
        `Basic ${token}`,
        `Bearer`,
        `Bearer ${token} extra`,
        `token=${token}`,
        undefined,
        '',
      ]) {
        assert.ok(!isAuthorized(h, token), String(h));
      }
    }
  });
});

describe('?src= origins', () => {
  const allowed = ['https://feeds.example.org', 'http://10.0.0.5:8080'];

  test('an absolute http(s) URL is allowed exactly when its origin is listed', () => {
    const rnd = seededRandom(99);
    const hosts = [
      'feeds.example.org',
      'evil.example',
      'feeds.example.org.evil.example',
      '10.0.0.5',
    ];
    const schemes = ['http', 'https'];
    const ports = ['', ':8080', ':443', ':80', ':8443'];
    for (let i = 0; i < 1000; i++) {
      const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
      const url = `${pick(schemes)}://${pick(hosts)}${pick(ports)}/hls/${randomToken(rnd, 1, 8).replace(/[#?]/g, '')}.m3u8`;
      const origin = new URL(url).origin;
      assert.equal(allowedSrcOrigin(url, allowed), allowed.includes(origin) ? origin : null, url);
    }
  });

  test('tricks never pass', () => {
    for (const src of [
      'https://feeds.example.org@evil.example/live.m3u8',
      'https://evil.example/?https://feeds.example.org',
      'https:\\\\evil.example\\live.m3u8',
      '//feeds.example.org/live.m3u8',
      '/hls/live.m3u8',
      'javascript:alert(1)',
      'data:application/vnd.apple.mpegurl,#EXTM3U',
      'ftp://feeds.example.org/live.m3u8',
      'https://feeds.example.org:444/live.m3u8',
      'HTTPS://FEEDS.EXAMPLE.ORG.evil.example/',
      '',
    ]) {
      assert.equal(allowedSrcOrigin(src, allowed), null, src);
    }
    assert.equal(
      allowedSrcOrigin('HTTPS://FEEDS.EXAMPLE.ORG:443/a.m3u8', allowed),
      'https://feeds.example.org',
      'URL parsing normalises case and the default port',
    );
    assert.equal(httpOriginOf("https://x.example/'; script-src *"), 'https://x.example');
  });

  test('the origins reach the page as a data attribute, escaped', () => {
    const tpl = '<body data-allowed-sources="{{allowedSources}}" data-stream="{{stream}}">';
    const html = renderIndex(tpl, {
      stream: 'live',
      scanner: false,
      allowedSources: [parseAllowedSource('https://feeds.example.org'), 'http://a.example:81'],
    });
    assert.equal(
      html,
      '<body data-allowed-sources="https://feeds.example.org http://a.example:81" data-stream="live">',
    );
    const none = renderIndex(tpl, { stream: 'live', scanner: false });
    assert.match(none, /^<body data-allowed-sources="" /);
    const tricky = renderIndex('<body>{{allowedSources}}</body>', {
      stream: 'live',
      scanner: false,
      allowedSources: ['"><script>'],
    });
    assert.equal(tricky, '<body>&#34;&#62;&#60;script&#62;</body>');
  });
});
