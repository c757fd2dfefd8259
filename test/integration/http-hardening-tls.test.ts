// test/integration/http-hardening-tls.test.ts: the same limits on the HTTPS server (HTTP/2 and HTTP/1.1 over TLS): 413 from the headers, traversal probes, header timeout, TLS handshake timeout.
import assert from 'node:assert/strict';
import type { ClientHttp2Session } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { TLS_HANDSHAKE_TIMEOUT_MS } from '../../src/http/secure-server.js';
import { h2Connect, h2Request, makeSelfSignedCert, type TestCert } from '../helpers/tls.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'hardening-tls-token-0123456789';
const HEADERS_TIMEOUT_MS = 1500;
let server: TestServer;
let cert: TestCert;
let session: ClientHttp2Session;

before(async () => {
  cert = await makeSelfSignedCert();
  server = await startTestServer(
    { tlsCert: cert.certFile, tlsKey: cert.keyFile, scanner: 'sim', controlToken: TOKEN },
    {
      extras: {
        serverLimits: { headersTimeoutMs: HEADERS_TIMEOUT_MS, connectionsCheckingIntervalMs: 250 },
      },
    },
  );
  session = await h2Connect(server.baseUrl, cert.ca);
});

after(async () => {
  session?.close();
  await server?.close();
});

/** Sends request headers on HTTP/2 and no body (the stream stays open); resolves with the status. */
function h2HeadersOnly(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: false });
    let status = 0;
    let body = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (d: Buffer) => (body += d.toString()));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
  });
}

describe('HTTPS', () => {
  test('HTTP/2: a 10 MB body is refused with 413 from its headers', async () => {
    const control = await h2HeadersOnly({
      ':method': 'POST',
      ':path': '/api/scanner/hold',
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'content-length': String(10 * 1024 * 1024),
    });
    assert.equal(control.status, 413);
    assert.match(control.body, /too large/);
    const none = await h2HeadersOnly({
      ':method': 'POST',
      ':path': '/hls/live.m3u8',
      'content-length': '100',
    });
    assert.equal(none.status, 413);
    assert.match(none.body, /takes no request body/);
    // The session is still good for the next request.
    assert.equal((await h2Request(session, '/api/status')).status, 200);
  });

  test('HTTP/2: traversal probes get 404 or 400', async () => {
    for (const path of [
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/hls/..%2f..%2fsecret.txt',
      '/hls/%252e%252e%252fstate%252fcontrol-token',
      '/vendor/..%5c..%5cpackage.json',
      '/%c0%ae%c0%ae%c0%afpackage.json',
      '/api/calls/..%2f..%2fpackage.json',
      '/hls/live.m3u8%00.txt',
    ]) {
      const r = await h2Request(session, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.doesNotMatch(r.text(), /root:x:0:|"name": "scanner-hls"/);
    }
  });

  test('HTTP/1.1 over TLS: headers that never finish get 408 after headersTimeout', async () => {
    const t0 = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const s = tlsConnect({
        host: '127.0.0.1',
        port: server.httpPort,
        ca: cert.ca,
        ALPNProtocols: ['http/1.1'],
      });
      s.on('secureConnect', () =>
        s.write('GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a'),
      );
      s.on('data', (d: Buffer) => (text += d.toString('latin1')));
      s.on('error', () => {});
      s.on('close', () => resolve(text));
    });
    const ms = Date.now() - t0;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(
      ms >= HEADERS_TIMEOUT_MS - 100 && ms < HEADERS_TIMEOUT_MS + 3000,
      `closed at ${ms} ms`,
    );
  });

  test('a TLS handshake that never starts is closed after the handshake timeout', async () => {
    const t0 = Date.now();
    await new Promise<void>((resolve) => {
      const s = tcpConnect(server.httpPort, '127.0.0.1');
      s.on('error', () => {});
      s.on('close', () => resolve());
    });
    const ms = Date.now() - t0;
    assert.ok(
      ms >= TLS_HANDSHAKE_TIMEOUT_MS - 200 && ms < TLS_HANDSHAKE_TIMEOUT_MS + 3000,
      `closed at ${ms} ms`,
    );
  });
});
