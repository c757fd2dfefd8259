// test/integration/nginx-tls.test.ts: deploy/nginx/scanner-hls-tls.conf with a real nginx over TLS and HTTP/2: page, API, SSE, gzipped playlists, segments and parts from the directory, blocking reloads held through nginx and coalesced by its cache lock, the hinted part held by the origin.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ClientHttp2Session } from 'node:http2';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { freePort, shippedConfig, startNginx, type TestNginx } from '../helpers/nginx.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import {
  alpnOf,
  h2Connect,
  h2Open,
  h2Request,
  makeSelfSignedCert,
  type TestCert,
} from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';

/** The TLS site config as shipped, pointed at this test's server, directories, port and certificate. */
function siteConf(server: TestServer, port: number, cert: TestCert, cacheDir: string): string {
  return shippedConfig('scanner-hls-tls.conf', [
    ['listen 443 ssl http2;', `listen 127.0.0.1:${port} ssl http2;`],
    ['/var/lib/scanner-hls/segments/', `${server.cfg.out}/`],
    ['server 127.0.0.1:8080;', `server 127.0.0.1:${server.httpPort};`],
    ['/var/cache/nginx/scanner-hls-ll', cacheDir],
    ['/etc/ssl/certs/scanner-hls.pem', cert.certFile],
    ['/etc/ssl/private/scanner-hls.key', cert.keyFile],
  ]);
}

function segmentUris(playlist: string): string[] {
  return playlist.split('\n').filter((l) => l.endsWith('.ts') && !l.startsWith('#'));
}

function partUris(playlist: string): string[] {
  return [...playlist.matchAll(/^#EXT-X-PART:.*URI="([^"]+)"/gm)].map((m) => m[1] ?? '');
}

/** The part a URI names (STREAM-RUN-MSN.PART.ts, segment-names.ts), or null. */
function partOf(uri: string): { msn: number; part: number } | null {
  const m = /-(\d+)(?:-gap)?\.(\d+)\.ts$/.exec(uri);
  return m ? { msn: Number(m[1]), part: Number(m[2]) } : null;
}

function preloadHint(playlist: string): string | null {
  return /^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/m.exec(playlist)?.[1] ?? null;
}

describe('nginx with TLS and HTTP/2 in front of scanner-hls (deploy/nginx/scanner-hls-tls.conf)', () => {
  let cert: TestCert;
  let server: TestServer;
  let nginx: TestNginx;
  let enc: ChildProcess;
  let h2: ClientHttp2Session;

  /** The live playlist straight from scanner-hls (plain HTTP on loopback). */
  async function originPlaylist(query = ''): Promise<string> {
    const r = await fetch(`${server.baseUrl}/hls/live.m3u8${query}`);
    assert.equal(r.status, 200);
    return r.text();
  }

  /** scanner_hls_playlist_requests_total: playlist requests that reached scanner-hls. */
  async function originPlaylistRequests(): Promise<number> {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const m = /^scanner_hls_playlist_requests_total (\d+)/m.exec(text);
    assert.ok(m, 'the playlist request counter');
    return Number(m[1]);
  }

  before(async () => {
    cert = await makeSelfSignedCert();
    server = await startTestServer({ segmentDurationSec: 1, window: 6 });
    const port = await freePort();
    const conf = siteConf(server, port, cert, join(tempDir('shls-nginx-cache-'), 'cache'));
    nginx = await startNginx(conf, port, { tls: true });
    enc = publishLive(await makeTs('mp3', 10), server.ingestPort, { loop: true });
    h2 = await h2Connect(nginx.baseUrl, cert.ca);
    await waitFor(async () => {
      const r = await h2Request(h2, '/hls/live.m3u8');
      return r.status === 200 && segmentUris(r.text()).length >= 3;
    }, 'three segments through nginx');
  });

  after(async () => {
    h2?.destroy();
    if (enc) await stopProcess(enc);
    await nginx?.stop();
    await server?.close();
  });

  it('speaks HTTP/2 over TLS and proxies the page, the API and Server-Sent Events', async () => {
    assert.equal(alpnOf(h2), 'h2');
    const page = await h2Request(h2, '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.text(), /<html/);
    const st = await h2Request(h2, '/api/status');
    assert.equal(st.status, 200);
    assert.equal((JSON.parse(st.text()) as { stream: string }).stream, 'live');
    const sse = await h2Open(h2, '/api/events');
    try {
      assert.equal(sse.status, 200);
      assert.equal(sse.headers['content-type'], 'text/event-stream; charset=utf-8');
      // The first status event at once, the next as a segment is published: not buffered.
      await sse.until(/(event: status\n[^\n]*\n\n[\s\S]*){2}/);
    } finally {
      sse.close();
    }
  });

  it('serves the playlist from scanner-hls, gzipped, with HLS types and CORS; never dotfiles', async () => {
    const pl = await h2Request(h2, '/hls/live.m3u8', { 'accept-encoding': 'gzip' });
    assert.equal(pl.status, 200);
    assert.match(String(pl.headers['content-type']), /^application\/vnd\.apple\.mpegurl/);
    assert.equal(pl.headers['content-encoding'], 'gzip');
    assert.equal(pl.headers.vary, 'Accept-Encoding');
    assert.equal(pl.headers['cache-control'], 'no-cache');
    assert.equal(pl.headers['access-control-allow-origin'], '*');
    assert.match(String(pl.headers['access-control-expose-headers']), /\bAge\b/);
    const text = pl.text();
    assert.ok(text.startsWith('#EXTM3U\n'));
    assert.match(text, /^#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES/m);
    assert.match(text, /^#EXT-X-PART-INF:PART-TARGET=/m);
    const pre = await h2Request(h2, '/hls/live.m3u8', { ':method': 'OPTIONS' });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    writeFileSync(join(server.cfg.out, '.tmp-live.m3u8'), '#EXTM3U\n');
    writeFileSync(join(server.cfg.out, '.secret.ts'), 'x');
    for (const p of ['/hls/.tmp-live.m3u8', '/hls/.secret.ts', '/hls/%2etmp-live.m3u8', '/hls/']) {
      assert.equal((await h2Request(h2, p)).status, 404, p);
    }
  });

  it('serves segments and parts from the directory, cached for good', async () => {
    const text = (await h2Request(h2, '/hls/live.m3u8')).text();
    const seg = segmentUris(text).at(-1) ?? '';
    const part = partUris(text)[0] ?? '';
    assert.ok(partOf(part), `a listed part: ${part}`);
    for (const uri of [seg, part]) {
      const r = await h2Request(h2, `/hls/${uri}`);
      assert.equal(r.status, 200, uri);
      assert.equal(r.headers['content-type'], 'video/mp2t');
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(r.headers['access-control-allow-origin'], '*');
      // No X-Cache-Status: nginx read the file itself and never asked scanner-hls.
      assert.equal(r.headers['x-cache-status'], undefined, `${uri} came from the directory`);
      assert.ok(r.body.equals(readFileSync(join(server.cfg.out, uri))), `${uri} byte for byte`);
    }
    const missing = await h2Request(h2, '/hls/live-nothing-1.ts');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['cache-control'], undefined, 'a 404 is not cached for a year');
  });

  it('holds a blocking reload for the next part at the origin and answers it when the part appears', async () => {
    const hint = preloadHint(await originPlaylist());
    const next = hint ? partOf(hint) : null;
    assert.ok(hint && next, `a preload hint: ${hint}`);
    const r = await h2Request(h2, `/hls/live.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`, {
      'accept-encoding': 'gzip',
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], 'gzip');
    const parts = partUris(r.text()).map(partOf);
    // The part asked for, or (past the segment's last part, §6.2.5.2) part 0 of the next one.
    assert.ok(
      parts.some(
        (p) =>
          p &&
          ((p.msn === next.msn && p.part >= next.part) || (p.msn === next.msn + 1 && p.part === 0)),
      ),
      `the answer lists ${hint}`,
    );
    // _HLS_msn alone: held until segment M is in the playlist; scanner-hls counts it there
    // once its first part is (src/hls/delivery-directives.ts).
    const msn = next.msn + 1;
    const seg = await h2Request(h2, `/hls/live.m3u8?_HLS_msn=${msn}`);
    assert.equal(seg.status, 200);
    const listed = seg.text();
    assert.ok(
      segmentUris(listed).some((u) => u.endsWith(`-${msn}.ts`) || u.endsWith(`-${msn}-gap.ts`)) ||
        partUris(listed).some((u) => (partOf(u)?.msn ?? -1) >= msn),
      `the answer lists segment ${msn} or its first part`,
    );
    // A malformed directive is the origin's 400, passed on.
    assert.equal((await h2Request(h2, '/hls/live.m3u8?_HLS_part=1')).status, 400);
  });

  it('fifty identical blocking requests for the next part cause fewer origin requests than clients', async (t) => {
    const CLIENTS = 50;
    const sessions = await Promise.all(
      Array.from({ length: 5 }, () => h2Connect(nginx.baseUrl, cert.ca)),
    );
    try {
      const hint = preloadHint(await originPlaylist());
      const next = hint ? partOf(hint) : null;
      assert.ok(hint && next);
      const before = await originPlaylistRequests();
      const path = `/hls/live.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`;
      const t0 = Date.now();
      const answers = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
          const r = await h2Request(sessions[i % sessions.length], path);
          return { ...r, ms: Date.now() - t0 };
        }),
      );
      const reached = (await originPlaylistRequests()) - before;
      for (const a of answers) {
        assert.equal(a.status, 200);
        assert.ok(partUris(a.text()).includes(hint), 'every answer lists the part');
      }
      const statuses = answers.map((a) => String(a.headers['x-cache-status']));
      const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
      t.diagnostic(
        `origin requests ${reached} for ${CLIENTS} clients; cache ${[...new Set(statuses)].join('/')}; answered after ${ms[0]}–${ms.at(-1)} ms`,
      );
      assert.ok(reached >= 1, 'the first one went to the origin');
      assert.ok(reached < CLIENTS, `${reached} origin requests for ${CLIENTS} clients`);
    } finally {
      for (const s of sessions) s.destroy();
    }
  });

  it('the hinted part, not on disk yet, is held by the origin and served whole through nginx', async () => {
    // The hint names the part being cut; its file appears (by rename) once the part is whole.
    // The file can appear between our look at the disk and nginx's (then nginx serves it
    // itself, also right): try a few hints until one went through @media_origin.
    let viaOrigin = 0;
    for (let attempt = 0; attempt < 5 && viaOrigin === 0; attempt++) {
      const hint = await waitFor(async () => {
        const h = preloadHint(await originPlaylist());
        return h && !existsSync(join(server.cfg.out, h)) ? h : null;
      }, 'a hinted part not yet on disk');
      const r = await h2Request(h2, `/hls/${hint}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'video/mp2t');
      assert.equal(r.headers['access-control-allow-origin'], '*');
      assert.ok(r.body.length > 0 && r.body.length % 188 === 0);
      assert.ok(r.body.equals(readFileSync(join(server.cfg.out, hint))), 'the whole part');
      // X-Cache-Status is only set by @media_origin; MISS: this request was held at the origin.
      if (r.headers['x-cache-status'] !== undefined) {
        assert.equal(r.headers['x-cache-status'], 'MISS');
        viaOrigin++;
      }
    }
    assert.equal(viaOrigin, 1, 'a hinted part was fetched through @media_origin');
    assert.doesNotMatch(nginx.errors(), /\[(crit|alert|emerg)\]|upstream timed out/);
  });
});
