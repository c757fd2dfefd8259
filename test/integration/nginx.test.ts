// test/integration/nginx.test.ts: the shipped nginx configs with a real nginx: headers, dotfiles, proxied page/API/SSE, ffmpeg and hls.js playback, no torn reads under load, WebDAV upload origin and edge cache.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { launchChromium } from '../helpers/chromium.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { freePort, shippedConfig, startNginx, type TestNginx } from '../helpers/nginx.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

/** The site config as shipped, pointed at this test's server, directory and port. */
function siteConf(server: TestServer, port: number): string {
  return shippedConfig('scanner-hls.conf', [
    ['listen 80;', `listen 127.0.0.1:${port};`],
    ['/var/lib/scanner-hls/segments/', `${server.cfg.out}/`],
    ['server 127.0.0.1:8080;', `server 127.0.0.1:${server.httpPort};`],
  ]);
}

function segmentUris(playlist: string): string[] {
  return playlist.split('\n').filter((l) => l.endsWith('.ts'));
}

async function ffmpegPlays(url: string): Promise<string> {
  const { stderr } = await run(
    'ffmpeg',
    ['-hide_banner', '-v', 'warning', '-i', url, '-t', '5', '-f', 'null', '-'],
    { timeout: 30_000 },
  );
  return stderr.trim();
}

describe('nginx in front of scanner-hls (deploy/nginx/scanner-hls.conf)', () => {
  let server: TestServer;
  let nginx: TestNginx;
  let enc: ChildProcess;

  before(async () => {
    server = await startTestServer({ segmentDurationSec: 1, window: 6 });
    const port = await freePort();
    nginx = await startNginx(siteConf(server, port), port);
    enc = publishLive(await makeTs('mp3', 10), server.ingestPort, { loop: true });
    await waitFor(async () => {
      const r = await fetch(`${nginx.baseUrl}/hls/live.m3u8`);
      return r.ok && segmentUris(await r.text()).length >= 3;
    }, 'three segments through nginx');
  });

  after(async () => {
    if (enc) await stopProcess(enc);
    await nginx?.stop();
    await server?.close();
  });

  test('serves the directory with HLS types, caching, CORS and gzip; never dotfiles', async () => {
    const pl = await fetch(`${nginx.baseUrl}/hls/live.m3u8`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(pl.status, 200);
    assert.equal(pl.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(pl.headers.get('cache-control'), 'no-cache');
    assert.equal(pl.headers.get('access-control-allow-origin'), '*');
    assert.match(pl.headers.get('access-control-expose-headers') ?? '', /\bAge\b/);
    assert.equal(pl.headers.get('content-encoding'), 'gzip');
    const text = await pl.text(); // fetch has decompressed it
    assert.ok(text.startsWith('#EXTM3U\n'));
    const seg = segmentUris(text)[0] ?? '';
    const s = await fetch(`${nginx.baseUrl}/hls/${seg}`);
    assert.equal(s.status, 200);
    assert.equal(s.headers.get('content-type'), 'video/mp2t');
    assert.equal(s.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(s.headers.get('access-control-allow-origin'), '*');
    assert.equal(s.headers.get('content-encoding'), null);
    const body = new Uint8Array(await s.arrayBuffer());
    assert.equal(body[0], 0x47);
    const pre = await fetch(`${nginx.baseUrl}/hls/live.m3u8`, { method: 'OPTIONS' });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    // A write in progress (scanner-hls's temp name) and other dotfiles are never served.
    writeFileSync(join(server.cfg.out, '.tmp-live.m3u8'), '#EXTM3U\n');
    writeFileSync(join(server.cfg.out, '.secret.ts'), 'x');
    for (const p of ['/hls/.tmp-live.m3u8', '/hls/.secret.ts', '/hls/%2etmp-live.m3u8', '/hls/']) {
      assert.equal((await fetch(nginx.baseUrl + p)).status, 404, p);
    }
    const missing = await fetch(`${nginx.baseUrl}/hls/live-nothing-1.ts`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('cache-control'), null, 'a 404 must not be cached for a year');
  });

  test('proxies the page, the API and Server-Sent Events without buffering', async () => {
    const page = await fetch(`${nginx.baseUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const st = (await (await fetch(`${nginx.baseUrl}/api/status`)).json()) as { stream: string };
    assert.equal(st.stream, 'live');
    assert.equal((await fetch(`${nginx.baseUrl}/healthz`)).status, 200);
    // Each published segment sends a status event; several must arrive while the stream is open.
    const ac = new AbortController();
    const res = await fetch(`${nginx.baseUrl}/api/events`, { signal: ac.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = res.body?.getReader();
    assert.ok(reader);
    const seqs = new Set<number>();
    let buf = '';
    const t0 = Date.now();
    while (seqs.size < 3 && Date.now() - t0 < 15_000) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      for (const m of buf.matchAll(/"mediaSequence":(\d+)/g)) seqs.add(Number(m[1]));
    }
    ac.abort();
    assert.ok(seqs.size >= 3, `status events arrived one by one (${seqs.size} sequence numbers)`);
  });

  test('ffmpeg plays the live playlist through nginx without an error', async () => {
    assert.equal(await ffmpegPlays(`${nginx.baseUrl}/hls/live.m3u8`), '');
  });

  test('hls.js in Chromium plays the page served through nginx', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${nginx.baseUrl}/`);
      await page.getByRole('button', { name: 'Play' }).click();
      await waitFor(
        () =>
          page.evaluate(() => {
            const a = document.querySelector('audio');
            return a !== null && !a.paused && a.currentTime > 2;
          }),
        'the audio element to play 2 s',
        30_000,
        200,
      );
      assert.deepEqual(failed, []);
    } finally {
      await browser.close();
    }
  });
});

/** Counts of a read storm. */
interface StormResult {
  playlists: number;
  segments: number;
  gone: number;
  bad: string[];
}

/**
 * Many concurrent readers fetch the playlist and every segment it lists while scanner-hls
 * rewrites them several times a second. A response is bad if it is torn or truncated.
 */
async function readStorm(
  base: string,
  dir: string,
  workers: number,
  ms: number,
  /** Keeps reading past ms until this holds (at most 4 × ms), so a slow machine still sees rewrites. */
  enough: () => boolean,
): Promise<StormResult> {
  const r: StormResult = { playlists: 0, segments: 0, gone: 0, bad: [] };
  const start = Date.now();
  const reading = () => Date.now() - start < ms || (!enough() && Date.now() - start < 4 * ms);
  const worker = async (): Promise<void> => {
    while (reading()) {
      const pl = await fetch(`${base}/hls/live.m3u8`);
      const text = await pl.text();
      r.playlists++;
      // A gzipped body's Content-Length is the compressed size; fetch hands over the text unzipped.
      const zipped = pl.headers.get('content-encoding') !== null;
      const len = zipped
        ? Buffer.byteLength(text)
        : Number(pl.headers.get('content-length') ?? Buffer.byteLength(text));
      if (
        !text.startsWith('#EXTM3U\n') ||
        // Whole: the last line is a segment URI, or (LL-HLS) the preload hint of the next part.
        !/\n([^#\n][^\n]*\.ts|#EXT-X-PRELOAD-HINT:TYPE=PART,URI="[^"]+\.ts")\n$/.test(text) ||
        len !== Buffer.byteLength(text)
      ) {
        r.bad.push(`playlist: ${JSON.stringify(text.slice(-40))}`);
        continue;
      }
      for (const uri of segmentUris(text).slice(-3)) {
        const s = await fetch(`${base}/hls/${uri}`);
        if (s.status === 404) {
          r.gone++; // deleted after its availability time: fine, not torn
          await s.arrayBuffer();
          continue;
        }
        const b = new Uint8Array(await s.arrayBuffer());
        r.segments++;
        let size: number | null = null;
        try {
          size = statSync(join(dir, uri)).size;
        } catch {
          size = null; // deleted since: its length is still checked below
        }
        if (
          b.length === 0 ||
          b.length % 188 !== 0 ||
          b[0] !== 0x47 ||
          (size !== null && size !== b.length)
        ) {
          r.bad.push(`${uri}: ${b.length} bytes, first ${b[0]}, file ${size}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return r;
}

describe('no torn or truncated responses while segments and playlists are rewritten', () => {
  let server: TestServer;
  let nginx: TestNginx;
  let enc: ChildProcess;

  before(async () => {
    server = await startTestServer({ segmentDurationSec: 0.5, window: 6 });
    const port = await freePort();
    nginx = await startNginx(siteConf(server, port), port);
    // 8× real time: about 16 segments and playlist rewrites per second.
    const file = await makeTs('mp3', 10);
    enc = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-readrate',
        '8',
        '-stream_loop',
        '-1',
        '-i',
        file,
        '-c',
        'copy',
        '-f',
        'mpegts',
        `tcp://127.0.0.1:${server.ingestPort}`,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => server.packager.getStatus().segmentsPublished >= 8, 'eight segments');
  });

  after(async () => {
    if (enc) await stopProcess(enc);
    await nginx?.stop();
    await server?.close();
  });

  for (const via of ['nginx', 'scanner-hls'] as const) {
    test(`through ${via}`, async () => {
      const before = server.packager.getStatus().segmentsPublished;
      const base = via === 'nginx' ? nginx.baseUrl : server.baseUrl;
      const rewritten = () => server.packager.getStatus().segmentsPublished - before;
      const r = await readStorm(base, server.cfg.out, 32, 4000, () => rewritten() >= 10);
      const rewrites = rewritten();
      assert.deepEqual(r.bad, []);
      assert.ok(rewrites >= 10, `the playlist was rewritten during the reads (${rewrites} times)`);
      assert.ok(r.playlists >= 100 && r.segments >= 100, `enough reads (${JSON.stringify(r)})`);
    });
  }
});

describe('--upload-url to a WebDAV origin (deploy/nginx/upload-origin.conf) behind an edge cache (edge-cache.conf)', () => {
  let server: TestServer;
  let nginx: TestNginx;
  let enc: ChildProcess;
  let origin: string;
  let edge: string;
  let root: string;

  before(async () => {
    root = tempDir('shls-origin-');
    const originPort = await freePort();
    const edgePort = await freePort();
    const conf =
      shippedConfig('upload-origin.conf', [
        ['listen 8088;', `listen 127.0.0.1:${originPort};`],
        ['/var/www/scanner-hls', root],
      ]) +
      shippedConfig('edge-cache.conf', [
        ['/var/cache/nginx/scanner-hls', join(root, '.edge-cache')],
        ['server 127.0.0.1:80;', `server 127.0.0.1:${originPort};`],
        ['listen 8081;', `listen 127.0.0.1:${edgePort};`],
      ]);
    nginx = await startNginx(conf, originPort);
    origin = `http://127.0.0.1:${originPort}`;
    edge = `http://127.0.0.1:${edgePort}`;
    server = await startTestServer({
      segmentDurationSec: 1,
      window: 3,
      uploadUrl: `${origin}/hls/`,
    });
    enc = publishLive(await makeTs('mp3', 10), server.ingestPort, { loop: true });
    await waitFor(async () => {
      const r = await fetch(`${origin}/hls/live.m3u8`);
      return r.ok && segmentUris(await r.text()).length >= 3;
    }, 'three segments on the origin');
  });

  after(async () => {
    if (enc) await stopProcess(enc);
    await server?.close();
    await nginx?.stop();
  });

  test('the origin holds every listed segment, byte for byte, with HLS headers', async () => {
    const pl = await fetch(`${origin}/hls/live.m3u8`);
    assert.equal(pl.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(pl.headers.get('cache-control'), 'no-cache');
    for (const uri of segmentUris(await pl.text())) {
      const s = await fetch(`${origin}/hls/${uri}`);
      assert.equal(s.status, 200, uri);
      assert.equal(s.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const b = new Uint8Array(await s.arrayBuffer());
      assert.equal(b[0], 0x47);
      assert.equal(b.length % 188, 0);
    }
    // Writes are for the packager host only; nobody can PUT through the edge.
    assert.equal(
      (await fetch(`${edge}/hls/x.ts`, { method: 'PUT', body: 'x' })).status >= 400,
      true,
    );
  });

  test('ffmpeg plays the playlist from the origin and from the edge', async () => {
    assert.equal(await ffmpegPlays(`${origin}/hls/live.m3u8`), '');
    assert.equal(await ffmpegPlays(`${edge}/hls/live.m3u8`), '');
  });

  test('the edge caches segments and passes the playlist on uncacheable by browsers', async () => {
    const text = await (await fetch(`${edge}/hls/live.m3u8`)).text();
    const uri = segmentUris(text).at(-1) ?? '';
    const first = await fetch(`${edge}/hls/${uri}`);
    await first.arrayBuffer();
    const second = await fetch(`${edge}/hls/${uri}`);
    await second.arrayBuffer();
    assert.equal(second.headers.get('x-cache-status'), 'HIT');
    assert.equal(second.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const pl = await fetch(`${edge}/hls/live.m3u8`);
    assert.equal(pl.headers.get('cache-control'), 'no-cache');
    assert.match(pl.headers.get('x-cache-status') ?? '', /HIT|MISS|EXPIRED|UPDATING|REVALIDATED/);
  });

  test('segments are deleted from the origin after their availability time', async () => {
    const text = await (await fetch(`${origin}/hls/live.m3u8`)).text();
    const uri = segmentUris(text)[0] ?? '';
    // (window + 2) × target duration = 5 s after it leaves the playlist.
    await waitFor(
      async () => (await fetch(`${origin}/hls/${uri}`)).status === 404,
      `${uri} deleted on the origin`,
      20_000,
      250,
    );
    assert.equal(server.uploader?.stats().dropped, 0);
  });
});
