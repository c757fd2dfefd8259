// test/integration/status-api.test.ts: GET /api/status and /api/events against a live publisher; security headers on the page, CORS on /hls.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { externalPlaylistOrigin, renderIndex } from '../../src/http/page-routes.js';
import { statusRoutes } from '../../src/http/status-routes.js';
import type { PackagerEvents } from '../../src/packager.js';
import type { StreamStatus } from '../../src/stream-status.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Reads a Server-Sent Events response: parsed status events and raw text seen so far. */
class SseReader {
  readonly statuses: StreamStatus[] = [];
  raw = '';
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  async open(url: string): Promise<Response> {
    const res = await fetch(url, { signal: this.abort.signal });
    const body = res.body;
    assert.ok(body, 'event stream has a body');
    this.done = this.pump(body.getReader());
    return res;
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    let pending = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const text = dec.decode(value, { stream: true });
        this.raw += text;
        pending += text;
        let cut: number;
        while ((cut = pending.indexOf('\n\n')) >= 0) {
          const frame = pending.slice(0, cut);
          pending = pending.slice(cut + 2);
          const lines = frame.split('\n');
          if (!lines.includes('event: status')) continue;
          const data = lines.find((l) => l.startsWith('data: '));
          if (data) this.statuses.push(JSON.parse(data.slice(6)) as StreamStatus);
        }
      }
    } catch {
      // aborted by close()
    }
  }

  last(): StreamStatus | undefined {
    return this.statuses.at(-1);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

async function getStatus(base: string): Promise<StreamStatus> {
  const res = await fetch(`${base}/api/status`);
  assert.equal(res.status, 200);
  return (await res.json()) as StreamStatus;
}

describe('status API with a live publisher', () => {
  let server: TestServer;
  let file: string;

  before(async () => {
    file = await makeTs('mp3', 6);
    server = await startTestServer({
      segmentDurationSec: 1,
      window: 6,
      allowedSources: ['https://cdn.example.net:8443', 'https://x.example'],
    });
  });
  after(async () => {
    await server.close();
  });

  test('/api/status and /api/events follow connect, publish and disconnect', async () => {
    const base = server.baseUrl;
    const res0 = await fetch(`${base}/api/status`);
    assert.match(res0.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res0.headers.get('cache-control'), 'no-store');
    const s0 = (await res0.json()) as StreamStatus;
    assert.equal(s0.stream, 'live');
    assert.equal(s0.playlist, '/hls/live.m3u8');
    assert.equal(s0.ingest.connected, false);
    assert.equal(s0.segmentsPublished, 0);
    assert.equal(s0.mediaSequence, null);
    assert.equal(s0.lastSegmentAt, null);
    assert.deepEqual(s0.codecs, []);

    const sse = new SseReader();
    const res = await sse.open(`${base}/api/events`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    const first = await waitFor(() => sse.statuses[0], 'the initial SSE snapshot', 5000);
    assert.equal(first.ingest.connected, false);
    assert.match(sse.raw, /^retry: \d+\n\n/);
    assert.equal(server.packager.listenerCount('status'), 1);

    const publisher = publishLive(file, server.ingestPort, { loop: true });
    try {
      await waitFor(
        () => sse.statuses.some((s) => s.ingest.connected),
        'SSE: ingest connected',
        10_000,
      );
      const published = await waitFor(
        () => sse.statuses.find((s) => s.segmentsPublished >= 2),
        'SSE: two segments published',
        15_000,
      );
      assert.ok(published.ingest.connected);
      assert.deepEqual(published.codecs, ['mp3']);
      assert.equal(typeof published.mediaSequence, 'number');

      const s1 = await getStatus(base);
      assert.equal(s1.ingest.connected, true);
      assert.match(s1.ingest.remote ?? '', /^127\.0\.0\.1:\d+$/);
      assert.ok(s1.ingest.since && !Number.isNaN(Date.parse(s1.ingest.since)));
      assert.ok(s1.segmentsPublished >= 2);
      assert.ok(s1.bitrateKbps !== null && s1.bitrateKbps > 100, `bitrate ${s1.bitrateKbps}`);
      assert.ok(s1.lastSegmentAt && !Number.isNaN(Date.parse(s1.lastSegmentAt)));
      assert.ok(s1.mediaSequence !== null && s1.mediaSequence >= 1);
      assert.ok(s1.input.bytes > 0);
    } finally {
      await stopProcess(publisher);
    }

    const off = await waitFor(
      () => sse.statuses.find((s, i) => i > 0 && !s.ingest.connected),
      'SSE: ingest disconnected',
      10_000,
    );
    assert.ok(off.segmentsPublished >= 2, 'published segments stay counted');
    const s2 = await getStatus(base);
    assert.equal(s2.ingest.connected, false);
    assert.ok(s2.mediaSequence !== null, 'the playlist outlives the publisher');

    await sse.close();
    await waitFor(
      () => server.packager.listenerCount('status') === 0,
      'the packager listener to go with the last event stream',
      5000,
    );
  });

  test('security headers on the page and API, CORS without CORP on /hls', async () => {
    const base = server.baseUrl;
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.doesNotMatch(html, /\{\{/, 'every placeholder is filled');
    assert.match(html, /data-playlist="\/hls\/live\.m3u8"/);
    assert.match(html, /<section id="scanner-panel" hidden aria-label="Scanner now"><\/section>/);
    assert.doesNotMatch(html, /<script>|<style|\sstyle=|\son[a-z]+=/i, 'no inline script or style');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /media-src 'self' blob: data:/);
    assert.match(csp, /worker-src 'self' blob:/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|upgrade-insecure-requests/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('x-powered-by'), null);

    const ext = await fetch(
      `${base}/?src=${encodeURIComponent('https://cdn.example.net:8443/hls/live.m3u8')}`,
    );
    const extCsp = ext.headers.get('content-security-policy') ?? '';
    assert.match(extCsp, /connect-src 'self' https:\/\/cdn\.example\.net:8443(;|$)/);
    assert.match(extCsp, /media-src 'self' blob: data: https:\/\/cdn\.example\.net:8443(;|$)/);
    // Only the parsed origin reaches the header: quotes and semicolons stay in the (unused) path.
    const tricky = await fetch(
      `${base}/?src=${encodeURIComponent("https://x.example/'; script-src *")}`,
    );
    const trickyCsp = tricky.headers.get('content-security-policy') ?? '';
    assert.match(trickyCsp, /connect-src 'self' https:\/\/x\.example;/);
    assert.match(trickyCsp, /script-src 'self';/);
    assert.doesNotMatch(trickyCsp, /\*/);
    // An origin not in --allowed-sources never reaches the header.
    const unlisted = await fetch(
      `${base}/?src=${encodeURIComponent('https://evil.example/hls/live.m3u8')}`,
    );
    const unlistedCsp = unlisted.headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(unlistedCsp, /evil\.example/);
    assert.match(unlistedCsp, /connect-src 'self'(;|$)/);
    for (const bad of [
      'javascript:alert(1)',
      'data:text/plain,x',
      'ftp://x.example/a.m3u8',
      '/hls/x.m3u8',
    ]) {
      const r = await fetch(`${base}/?src=${encodeURIComponent(bad)}`);
      const c = r.headers.get('content-security-policy') ?? '';
      assert.doesNotMatch(c, /javascript|data:text|ftp|\*/, `src ${bad} stays out of the CSP`);
      assert.match(c, /connect-src 'self';/);
      assert.match(c, /media-src 'self' blob: data:;/);
    }

    for (const [path, type] of [
      ['/app.js', /javascript/],
      ['/style.css', /css/],
      ['/vendor/hls.min.js', /javascript/],
    ] as const) {
      const r = await fetch(base + path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', type, path);
      assert.ok(r.headers.get('content-security-policy'), `${path} carries the CSP`);
      await r.arrayBuffer();
    }

    const api = await fetch(`${base}/api/status`);
    assert.match(api.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(api.headers.get('x-content-type-options'), 'nosniff');
    await api.arrayBuffer();
    const unknown = await fetch(`${base}/api/nothing-here`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: 'not found' });

    const hls = await fetch(`${base}/hls/live.m3u8`, {
      headers: { Origin: 'http://elsewhere.example' },
    });
    assert.equal(hls.status, 200, 'the first test left a playlist');
    assert.equal(hls.headers.get('access-control-allow-origin'), '*');
    assert.equal(hls.headers.get('cross-origin-resource-policy'), null);
    assert.equal(hls.headers.get('content-security-policy'), null);
    assert.match(await hls.text(), /^#EXTM3U/);
  });
});

describe('status event stream fan-out', () => {
  test('one packager listener for many streams, keep-alive comments, clean removal', async () => {
    const source = new EventEmitter<PackagerEvents>();
    let current = { segmentsPublished: 0 } as StreamStatus;
    const fake = Object.assign(source, { getStatus: () => current });
    const app = express();
    app.use('/api', statusRoutes(fake, { keepAliveMs: 50 }));
    const http = createServer(app);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const a = new SseReader();
    const b = new SseReader();
    try {
      await a.open(`${base}/api/events`);
      await b.open(`${base}/api/events`);
      await waitFor(
        () => a.statuses.length === 1 && b.statuses.length === 1,
        'both snapshots',
        5000,
      );
      assert.equal(source.listenerCount('status'), 1);
      current = { segmentsPublished: 7 } as StreamStatus;
      source.emit('status', current);
      await waitFor(
        () => a.last()?.segmentsPublished === 7 && b.last()?.segmentsPublished === 7,
        'the update on both streams',
        5000,
      );
      await waitFor(() => a.raw.includes('\n: keep-alive\n\n'), 'a keep-alive comment', 5000);
      await a.close();
      await waitFor(
        () => source.listenerCount('status') === 1 && b.statuses.length === 2,
        'b stays',
        5000,
      );
      await b.close();
      await waitFor(() => source.listenerCount('status') === 0, 'listener removed', 5000);
    } finally {
      await a.close();
      await b.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });
});

describe('page template', () => {
  test('fills stream, playlist and the scanner flag, escaped', () => {
    const tpl =
      '<title>{{stream}}</title><body data-playlist="{{playlist}}" data-scanner="{{scanner}}" x="{{other}}">';
    assert.equal(
      renderIndex(tpl, { stream: 'fire-1', scanner: true }),
      '<title>fire-1</title><body data-playlist="/hls/fire-1.m3u8" data-scanner="on" x="{{other}}">',
    );
    assert.match(
      renderIndex(tpl, { stream: 'a"<b', scanner: false }),
      /data-playlist="\/hls\/a&#34;&#60;b\.m3u8" data-scanner="off"/,
    );
  });

  test('?src= origins: only absolute http(s) URLs', () => {
    assert.equal(
      externalPlaylistOrigin('http://10.0.0.5:8080/hls/live.m3u8'),
      'http://10.0.0.5:8080',
    );
    assert.equal(externalPlaylistOrigin('https://Radio.Example/x.m3u8'), 'https://radio.example');
    for (const bad of [
      undefined,
      ['http://a/x'],
      '',
      '/hls/live.m3u8',
      'javascript:alert(1)',
      'blob:http://a/x',
      'ws://a/x',
    ]) {
      assert.equal(externalPlaylistOrigin(bad), null, String(bad));
    }
  });
});
