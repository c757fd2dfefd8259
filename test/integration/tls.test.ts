// test/integration/tls.test.ts: --tls-cert/--tls-key: the live server over HTTPS with HTTP/2 (page, API, playlist, segment, SSE, held LL-HLS requests, Express on HTTP/2), HTTP/1.1 over TLS, and the CLI's one-line errors.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ClientHttp2Session } from 'node:http2';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import {
  createSecureAppServer,
  http2Compatible,
  loadTlsCredentials,
} from '../../src/http/secure-server.js';
import { assertOneLine, cli, MAIN } from '../helpers/cli.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import {
  alpnOf,
  h2Connect,
  h2Open,
  h2Request,
  https1Get,
  makeSelfSignedCert,
  type TestCert,
} from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';

/** Warnings node emitted during this file (an HTTP/2 connection header dropped by node is one). */
const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

/** RFC 9113 §8.2.2's connection-specific header fields. */
const CONNECTION_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
];

function preloadHint(playlist: string): string | null {
  return /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/m.exec(playlist)?.[1] ?? null;
}

/** The part a URI names (STREAM-RUN-MSN.PART.ts, src/segment-names.ts), or null. */
function partOf(uri: string): { msn: number; part: number } | null {
  const m = /-(\d+)(?:-gap)?\.(\d+)\.ts$/.exec(uri);
  return m ? { msn: Number(m[1]), part: Number(m[2]) } : null;
}

function segmentUris(playlist: string): string[] {
  return playlist.split('\n').filter((l) => l.endsWith('.ts') && !l.startsWith('#'));
}

/** A router mounted after the others: what Express's request and response methods see on HTTP/2. */
function probeRouter(): express.Router {
  const r = express.Router();
  r.get('/probe', (req, res) => {
    res.json({
      httpVersion: req.httpVersion,
      protocol: req.protocol,
      secure: req.secure,
      hostname: req.hostname,
      ip: req.ip,
      path: req.path,
      query: req.query,
      accepts: req.accepts(['text/plain', 'application/json']),
    });
  });
  // HTTP/1.1 habits: on HTTP/2 these headers must not go out (and must not fail the response).
  r.get('/hop-by-hop', (_req, res) => {
    res.setHeader('Connection', 'close');
    res.setHeader('Keep-Alive', 'timeout=5');
    res.append('Proxy-Connection', 'keep-alive');
    res.writeHead(200, {
      'Content-Type': 'text/plain',
      Upgrade: 'h2c',
      'Transfer-Encoding': 'chunked',
    });
    res.end('still here\n');
  });
  r.get('/redirect', (_req, res) => res.redirect(302, '/probe'));
  return r;
}

describe('HTTPS with HTTP/2 (--tls-cert, --tls-key)', () => {
  let cert: TestCert;
  let server: TestServer;
  let enc: ChildProcess;
  let h2: ClientHttp2Session;

  before(async () => {
    cert = await makeSelfSignedCert();
    server = await startTestServer(
      { tlsCert: cert.certFile, tlsKey: cert.keyFile, segmentDurationSec: 1, window: 6 },
      { extras: { mounts: () => [{ path: '/', router: probeRouter() }] } },
    );
    enc = publishLive(await makeTs('mp3', 10), server.ingestPort, { loop: true });
    h2 = await h2Connect(server.baseUrl, cert.ca);
    await waitFor(async () => {
      const r = await h2Request(h2, '/hls/live.m3u8');
      return r.status === 200 && segmentUris(r.text()).length >= 2;
    }, 'two segments over HTTP/2');
  });

  after(async () => {
    h2?.destroy();
    if (enc) await stopProcess(enc);
    await server?.close();
  });

  it('negotiates h2 by ALPN and says https:// in the banner', () => {
    assert.equal(alpnOf(h2), 'h2');
    assert.equal(server.https, true);
    assert.ok(server.baseUrl.startsWith('https://'));
    assert.ok(
      server.banner.includes(`  page:      https://127.0.0.1:${server.httpPort}/`),
      server.banner.join('\n'),
    );
    assert.ok(
      server.banner.includes(`  playlist:  https://127.0.0.1:${server.httpPort}/hls/live.m3u8`),
    );
  });

  it('serves the page and /api/status over HTTP/2', async () => {
    const page = await h2Request(h2, '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.match(page.text(), /<html/);
    const js = await h2Request(h2, '/vendor/hls.min.js');
    assert.equal(js.status, 200, 'a file sent with res.sendFile');
    assert.ok(js.body.length > 100_000);
    const st = await h2Request(h2, '/api/status');
    assert.equal(st.status, 200);
    assert.match(String(st.headers['content-type']), /^application\/json/);
    const status = JSON.parse(st.text()) as { stream: string; ingest: { connected: boolean } };
    assert.equal(status.stream, 'live');
    assert.equal(status.ingest.connected, true);
    const missing = await h2Request(h2, '/no-such-page');
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.text()), { error: 'not found' });
  });

  it('serves the live playlist and a segment from the directory over HTTP/2', async () => {
    const pl = await h2Request(h2, '/hls/live.m3u8', { 'accept-encoding': 'gzip' });
    assert.equal(pl.status, 200);
    assert.match(String(pl.headers['content-type']), /^application\/vnd\.apple\.mpegurl/);
    assert.equal(pl.headers['content-encoding'], 'gzip');
    assert.equal(pl.headers['access-control-allow-origin'], '*');
    const etag = String(pl.headers.etag);
    const again = await h2Request(h2, '/hls/live.m3u8', {
      'accept-encoding': 'gzip',
      'if-none-match': etag,
    });
    // 304 while the playlist has not changed, else the new one.
    assert.ok(again.status === 304 || (again.status === 200 && again.headers.etag !== etag));
    const text = pl.text();
    assert.ok(text.startsWith('#EXTM3U\n'));
    const uri = segmentUris(text).at(-1) ?? '';
    const onDisk = readFileSync(join(server.cfg.out, uri));
    const seg = await h2Request(h2, `/hls/${uri}`);
    assert.equal(seg.status, 200);
    assert.equal(seg.headers['content-type'], 'video/mp2t');
    assert.equal(seg.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(seg.body[0], 0x47);
    assert.ok(seg.body.equals(onDisk), 'the segment byte for byte');
    const head = await h2Request(h2, `/hls/${uri}`, { ':method': 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), onDisk.length);
    assert.equal((await h2Request(h2, '/hls/live-nothing-1.ts')).status, 404);
    // Safari asks for byte ranges of media.
    const range = await h2Request(h2, `/hls/${uri}`, { range: 'bytes=0-187' });
    assert.equal(range.status, 206);
    assert.equal(range.headers['content-range'], `bytes 0-187/${onDisk.length}`);
    assert.ok(range.body.equals(onDisk.subarray(0, 188)));
  });

  it('streams Server-Sent Events over HTTP/2, without connection headers', async () => {
    const before = warnings.length;
    const sse = await h2Open(h2, '/api/events');
    try {
      assert.equal(sse.status, 200);
      assert.equal(sse.headers['content-type'], 'text/event-stream; charset=utf-8');
      for (const h of CONNECTION_HEADERS) assert.equal(sse.headers[h], undefined, h);
      // The first status event comes at once; the next one when a segment is published.
      const text = await sse.until(/(event: status\n[^\n]*\n\n[\s\S]*){2}/);
      const seqs = [...text.matchAll(/"segmentsPublished":(\d+)/g)].map((m) => Number(m[1]));
      assert.ok(
        new Set(seqs).size >= 2,
        `status events as segments are published: ${seqs.join(',')}`,
      );
    } finally {
      sse.close();
    }
    assert.deepEqual(warnings.slice(before), []);
  });

  it('gives Express its request and response methods on HTTP/2', async () => {
    const r = await h2Request(h2, '/probe?x=1&y=two', { accept: 'application/json' });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text()), {
      httpVersion: '2.0',
      protocol: 'https',
      secure: true,
      // From :authority (RFC 9113 §8.3.1): HTTP/2 requests carry no Host header.
      hostname: '127.0.0.1',
      ip: '127.0.0.1',
      path: '/probe',
      query: { x: '1', y: 'two' },
      accepts: 'application/json',
    });
    const redirect = await h2Request(h2, '/redirect');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, '/probe');
  });

  it('drops HTTP/1.1 connection headers on HTTP/2 instead of failing the response', async () => {
    const before = warnings.length;
    const r = await h2Request(h2, '/hop-by-hop');
    assert.equal(r.status, 200);
    assert.equal(r.text(), 'still here\n');
    assert.equal(r.headers['content-type'], 'text/plain');
    for (const h of CONNECTION_HEADERS) assert.equal(r.headers[h], undefined, h);
    assert.deepEqual(warnings.slice(before), []);
  });

  it('holds a blocking playlist reload over HTTP/2 until the part appears', async () => {
    const hint = preloadHint((await h2Request(h2, '/hls/live.m3u8')).text());
    const next = hint ? partOf(hint) : null;
    assert.ok(hint && next, `a preload hint: ${hint}`);
    const r = await h2Request(h2, `/hls/live.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`);
    assert.equal(r.status, 200);
    assert.ok(
      new RegExp(`^#EXT-X-PART:.*URI="${hint}"`, 'm').test(r.text()),
      `the answer lists ${hint} as a part`,
    );
  });

  it('holds the hinted part over HTTP/2 and sends it whole', async () => {
    const hint = await waitFor(async () => {
      const h = preloadHint((await h2Request(h2, '/hls/live.m3u8')).text());
      return h && !existsSync(join(server.cfg.out, h)) ? h : null;
    }, 'a hinted part not yet on disk');
    const r = await h2Request(h2, `/hls/${hint}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'video/mp2t');
    assert.ok(r.body.equals(readFileSync(join(server.cfg.out, hint))), 'the whole part');
  });

  it('still answers HTTP/1.1 over TLS', async () => {
    const st = await https1Get(`${server.baseUrl}/api/status`, cert.ca);
    assert.equal(st.alpn, 'http/1.1');
    assert.equal(st.httpVersion, '1.1');
    assert.equal(st.status, 200);
    assert.equal((JSON.parse(st.body) as { stream: string }).stream, 'live');
    const pl = await https1Get(`${server.baseUrl}/hls/live.m3u8`, cert.ca);
    assert.equal(pl.status, 200);
    assert.ok(pl.body.startsWith('#EXTM3U\n'));
    const probe = await https1Get(`${server.baseUrl}/probe`, cert.ca);
    const p = JSON.parse(probe.body) as { httpVersion: string; protocol: string; hostname: string };
    assert.deepEqual([p.httpVersion, p.protocol, p.hostname], ['1.1', 'https', '127.0.0.1']);
  });

  it('close() ends open HTTP/2 streams and sessions', async () => {
    const other = await startTestServer({ tlsCert: cert.certFile, tlsKey: cert.keyFile });
    const session = await h2Connect(other.baseUrl, cert.ca);
    const sse = await h2Open(session, '/api/events');
    assert.equal(sse.status, 200);
    const closed = new Promise<void>((r) => session.once('close', () => r()));
    await other.close();
    await closed;
    assert.equal(session.destroyed, true);
  });
});

describe('createSecureAppServer with a front handler (before Express)', () => {
  it('sees HTTP/2 and HTTP/1.1 requests first and passes the rest to Express', async () => {
    const cert = await makeSelfSignedCert();
    const app = express();
    app.get('/x', (req, res) => void res.json({ v: req.httpVersion, q: req.query }));
    const web = createSecureAppServer(
      app,
      loadTlsCredentials(cert.certFile, cert.keyFile),
      (req, res, next) => {
        if (req.url !== '/front') return next();
        res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'keep-alive' });
        res.end(`front ${req.httpVersion}\n`);
      },
    );
    await new Promise<void>((r) => web.server.listen(0, '127.0.0.1', () => r()));
    const a = web.server.address();
    const base = `https://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    const session = await h2Connect(base, cert.ca);
    try {
      const before = warnings.length;
      const f = await h2Request(session, '/front');
      assert.equal(f.text(), 'front 2.0\n');
      assert.equal(f.headers.connection, undefined);
      assert.deepEqual(warnings.slice(before), [], 'no connection header reached node');
      assert.deepEqual(JSON.parse((await h2Request(session, '/x?a=1')).text()), {
        v: '2.0',
        q: { a: '1' },
      });
      assert.equal((await https1Get(`${base}/front`, cert.ca)).body, 'front 1.1\n');
      assert.equal((await https1Get(`${base}/x`, cert.ca)).body, '{"v":"1.1","q":{}}');
    } finally {
      session.destroy();
      web.closeAllConnections();
      await new Promise<void>((r) => web.server.close(() => r()));
    }
  });
});

describe('the HTTP/2 compatibility layer refuses what it cannot run', () => {
  it('an Express sub-application (its handle would set HTTP/1 prototypes)', () => {
    const direct = express();
    direct.use('/sub', express());
    assert.throws(() => http2Compatible(direct), /sub-application is mounted/);
    const nested = express();
    const router = express.Router();
    router.use(express());
    nested.use('/r', router);
    assert.throws(() => http2Compatible(nested), /sub-application is mounted/);
    const fine = express();
    fine.use(
      '/r',
      express.Router().get('/', (_q, s) => void s.end()),
    );
    assert.equal(typeof http2Compatible(fine), 'function');
  });
});

describe('the command with --tls-cert and --tls-key', () => {
  const dir = tempDir();
  let cert: TestCert;
  let otherCert: TestCert;
  const live = (name: string) => [
    ...['--http', '127.0.0.1:0', '--ingest', 'tcp://127.0.0.1:0'],
    ...['--out', join(dir, name, 'seg'), '--state-dir', join(dir, name, 'state')],
  ];

  before(async () => {
    cert = await makeSelfSignedCert(tempDir('shls-tls-a-'));
    otherCert = await makeSelfSignedCert(tempDir('shls-tls-b-'));
  });

  it('a missing --tls-cert file', async () => {
    const r = await cli([
      ...live('m'),
      '--tls-cert',
      '/nonexistent/cert.pem',
      '--tls-key',
      cert.keyFile,
    ]);
    assert.notEqual(r.code, 0);
    assertOneLine(
      r.stderr,
      /cannot read --tls-cert \/nonexistent\/cert\.pem: no such file or directory/,
    );
  });

  it('--tls-key without --tls-cert', async () => {
    const r = await cli([...live('k'), '--tls-key', cert.keyFile]);
    assert.notEqual(r.code, 0);
    assertOneLine(r.stderr, /--tls-key.*needs --tls-cert/);
  });

  it('a --tls-cert that is not a PEM certificate', async () => {
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, 'this is not a certificate\n');
    const r = await cli([...live('b'), '--tls-cert', bad, '--tls-key', cert.keyFile]);
    assert.notEqual(r.code, 0);
    assertOneLine(r.stderr, /invalid --tls-cert .*bad\.pem: not a PEM certificate/);
  });

  it('a --tls-key that is not a PEM key', async () => {
    const r = await cli([...live('p'), '--tls-cert', cert.certFile, '--tls-key', cert.certFile]);
    assert.notEqual(r.code, 0);
    assertOneLine(r.stderr, /invalid --tls-key .*cert\.pem: not a PEM private key/);
  });

  it('a --tls-key that belongs to another certificate', async () => {
    const r = await cli([
      ...live('x'),
      '--tls-cert',
      cert.certFile,
      '--tls-key',
      otherCert.keyFile,
    ]);
    assert.notEqual(r.code, 0);
    assertOneLine(r.stderr, /invalid --tls-key .*: it does not belong to --tls-cert .*cert\.pem/);
  });

  it('prints https:// URLs and serves them, then stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        ...live('ok'),
        '--tls-cert',
        cert.certFile,
        '--tls-key',
        cert.keyFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const page = await waitFor(() => /page: +(https:\/\/\S+)/.exec(stdout)?.[1], 'banner');
      assert.match(stdout, /playlist: +https:\/\/127\.0\.0\.1:\d+\/hls\/live\.m3u8/);
      const session = await h2Connect(new URL(page).origin, cert.ca);
      try {
        assert.equal((await h2Request(session, '/healthz')).status, 200);
      } finally {
        session.destroy();
      }
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      await stopProcess(child);
    }
  });
});
