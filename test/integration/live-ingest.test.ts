// test/integration/live-ingest.test.ts: real TCP ingest → segments on disk → playlist over real HTTP, judged by ffmpeg.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { closePublisher, openPublisher, publishBytes, writeAll } from '../helpers/tcp.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

interface Listed {
  uri: string;
  duration: number;
  discontinuity: boolean;
}

function parsePlaylist(text: string) {
  const tag = (name: string) => Number(new RegExp(`^#${name}:(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  const segments: Listed[] = [];
  let disc = false;
  let dur = 0;
  for (const line of text.split('\n')) {
    if (line === '#EXT-X-DISCONTINUITY') disc = true;
    else if (line.startsWith('#EXTINF:')) dur = Number(line.slice(8).replace(',', ''));
    else if (line && !line.startsWith('#')) {
      segments.push({ uri: line, duration: dur, discontinuity: disc });
      disc = false;
    }
  }
  return {
    target: tag('EXT-X-TARGETDURATION'),
    mediaSequence: tag('EXT-X-MEDIA-SEQUENCE'),
    discontinuitySequence: tag('EXT-X-DISCONTINUITY-SEQUENCE'),
    segments,
  };
}

async function playlist(s: TestServer) {
  const r = await fetch(`${s.baseUrl}/hls/live.m3u8`);
  return r.status === 200 ? parsePlaylist(await r.text()) : null;
}

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** 2 s segments: the counts below are written for them (LL-HLS parts stay on). */
async function server(over: Parameters<typeof startTestServer>[0] = {}, dir?: string) {
  const s = await startTestServer({ segmentDurationSec: 2, ...over }, dir ? { dir } : {});
  servers.push(s);
  return s;
}

describe('live ingest over TCP', () => {
  for (const kind of ['mp3', 'aac', 'h264'] as const) {
    it(`${kind}: publishes segments whose EXTINF never rounds above the fixed target duration`, async () => {
      // Plain HLS: the disk copy and the served playlist are then the same text.
      const s = await server({ segmentDurationSec: 2, window: 6, lowLatency: false });
      await publishBytes(s.ingestPort, readFileSync(await makeTs(kind, 13)));
      await waitFor(() => !s.packager.getStatus().ingest.connected, 'publisher gone');
      await s.packager.idle();
      const pl = await playlist(s);
      assert.ok(pl);
      assert.equal(pl.segments.length, 6);
      assert.equal(pl.target, 2);
      assert.equal(pl.mediaSequence, 1, 'one segment slid out of the 6-segment window');
      for (const seg of pl.segments)
        assert.ok(Math.round(seg.duration) <= pl.target, `${seg.uri}: ${seg.duration}`);
      // Written to disk under the same names, playlist included.
      for (const seg of pl.segments) assert.ok(existsSync(join(s.cfg.out, seg.uri)));
      // The file on disk catches up with the served playlist once the write queue is idle.
      await s.packager.idle();
      assert.equal(
        readFileSync(join(s.cfg.out, 'live.m3u8'), 'utf8'),
        await (await fetch(`${s.baseUrl}/hls/live.m3u8`)).text(),
      );
    });
  }

  it('serves HLS with the right types, caching and CORS, and 404 for anything else', async () => {
    const s = await server();
    await publishBytes(s.ingestPort, readFileSync(await makeTs('mp3', 5)));
    // With LL-HLS the playlist appears with the first part; wait for a whole segment.
    const pl = await waitFor(async () => {
      const p = await playlist(s);
      return p && p.segments.length ? p : null;
    }, 'a segment');
    const p = await fetch(`${s.baseUrl}/hls/live.m3u8`);
    assert.match(p.headers.get('content-type') ?? '', /^application\/vnd\.apple\.mpegurl/);
    assert.equal(p.headers.get('cache-control'), 'no-cache');
    assert.equal(p.headers.get('access-control-allow-origin'), '*');
    assert.match(p.headers.get('access-control-expose-headers') ?? '', /\bAge\b/);
    const seg = await fetch(`${s.baseUrl}/hls/${pl.segments[0].uri}`);
    assert.equal(seg.status, 200);
    assert.equal(seg.headers.get('content-type'), 'video/mp2t');
    assert.match(seg.headers.get('cache-control') ?? '', /max-age=\d{5,}/);
    assert.equal(seg.headers.get('access-control-allow-origin'), '*');
    const bytes = new Uint8Array(await seg.arrayBuffer());
    assert.equal(bytes.length % 188, 0);
    assert.equal(bytes[0], 0x47);
    const pre = await fetch(`${s.baseUrl}/hls/live.m3u8`, { method: 'OPTIONS' });
    assert.equal(pre.status, 204);
    for (const path of [
      '/hls/nope.ts',
      '/hls/../package.json',
      '/hls/%2e%2e/package.json',
      '/hls/..%2fpackage.json',
      '/hls/.tmp-x',
      '/hls/%00',
      '/etc/passwd',
    ]) {
      const r = await fetch(`${s.baseUrl}${path}`);
      assert.equal(r.status, 404, path);
    }
  });

  it('marks an encoder reconnect with a discontinuity and keeps counting', async () => {
    const s = await server();
    const file = readFileSync(await makeTs('mp3', 5));
    await publishBytes(s.ingestPort, file);
    const first = await waitFor(async () => {
      const p = await playlist(s);
      return p && p.segments.length === 3 ? p : null;
    }, 'first session');
    await publishBytes(s.ingestPort, file);
    const pl = await waitFor(async () => {
      const p = await playlist(s);
      return p && p.segments.length === 6 ? p : null;
    }, 'second session');
    assert.deepEqual(pl.segments.slice(0, 3), first.segments);
    assert.deepEqual(
      pl.segments.map((x) => x.discontinuity),
      [false, false, false, true, false, false],
    );
    assert.equal(new Set(pl.segments.map((x) => x.uri)).size, 6, 'names never repeat');
  });

  it('skips garbage on the socket and goes on when TS resumes', async () => {
    const s = await server();
    const file = readFileSync(await makeTs('mp3', 9));
    const a = await openPublisher(s.ingestPort);
    await writeAll(a, file.subarray(0, 188 * 300));
    await writeAll(a, Buffer.from('GET /live HTTP/1.1\r\nHost: scanner\r\n\r\n'.repeat(30)));
    await writeAll(a, file.subarray(188 * 300));
    await closePublisher(a);
    const pl = await waitFor(async () => {
      const p = await playlist(s);
      return p && p.segments.length === 5 ? p : null;
    }, 'segments after garbage');
    assert.ok(s.packager.getStatus().input.skippedBytes > 0);
    assert.ok(pl.segments.every((x) => Math.round(x.duration) <= 2));
  });

  it('continues the sequence across a restart, keeps listed segments and marks the join', async () => {
    const a = await server({ window: 4 });
    const file = readFileSync(await makeTs('mp3', 9));
    await publishBytes(a.ingestPort, file);
    const before = await waitFor(async () => {
      const p = await playlist(a);
      return p && p.segments.length === 4 && p.mediaSequence === 1 ? p : null;
    }, 'first run');
    await a.close();
    const b = await server({ window: 4 }, a.dir);
    const restored = await playlist(b);
    assert.deepEqual(restored, before, 'the previous window is served right after the restart');
    await publishBytes(b.ingestPort, file);
    const pl = await waitFor(async () => {
      const p = await playlist(b);
      return p && p.mediaSequence === 6 ? p : null;
    }, 'second run');
    assert.equal(pl.segments.length, 4);
    assert.ok(pl.segments.every((x) => !before.segments.some((o) => o.uri === x.uri)));
    // The join slid out of the window, so the discontinuity sequence went up.
    assert.equal(pl.discontinuitySequence, 1);
  });
  it('a restart after --out was emptied lists nothing that is gone; sequence numbers go on and the next segment is marked', async () => {
    const a = await server({ window: 4 });
    const file = readFileSync(await makeTs('mp3', 9));
    await publishBytes(a.ingestPort, file);
    const before = await waitFor(async () => {
      const p = await playlist(a);
      return p && p.segments.length === 4 ? p : null;
    }, 'first run');
    await a.close();
    // A tmpfs after a reboot: the state dir survived, the segments did not.
    for (const f of readdirSync(a.cfg.out)) rmSync(join(a.cfg.out, f));
    const b = await server({ window: 4 }, a.dir);
    const restored = await playlist(b);
    assert.ok(restored === null || restored.segments.length === 0, 'nothing gone is listed');
    await publishBytes(b.ingestPort, file);
    const pl = await waitFor(async () => {
      const p = await playlist(b);
      return p && p.segments.length === 4 ? p : null;
    }, 'second run');
    assert.ok(pl.mediaSequence > before.mediaSequence + 3, 'MEDIA-SEQUENCE went on');
    assert.ok(pl.discontinuitySequence >= before.discontinuitySequence);
    for (const x of pl.segments) {
      const r = await fetch(`${b.baseUrl}/hls/${x.uri}`);
      assert.equal(r.status, 200, x.uri);
    }
    // Run b's first segment carried EXT-X-DISCONTINUITY: listed still, or counted once it slid out.
    assert.ok(
      pl.segments[0].discontinuity || pl.discontinuitySequence > before.discontinuitySequence,
    );
  });
});

describe('GStreamer as the encoder', () => {
  it('takes the 2009 pipeline (lamemp3enc ! mpegtsmux ! tcpclientsink) and cuts it on the grid', async () => {
    const s = await server({ window: 6 });
    const pipeline = [
      '-q',
      'audiotestsrc',
      'num-buffers=300',
      'samplesperbuffer=1152',
      '!',
      'audio/x-raw,rate=22050,channels=1',
      '!',
      'audioconvert',
      '!',
      'lamemp3enc',
      'bitrate=32',
      '!',
      'mpegaudioparse',
      '!',
      'mpegtsmux',
      '!',
      'tcpclientsink',
      'host=127.0.0.1',
      `port=${s.ingestPort}`,
    ];
    await run('gst-launch-1.0', pipeline, { timeout: 60_000 });
    const pl = await waitFor(async () => {
      const p = await playlist(s);
      return p && p.segments.length === 6 && !s.packager.getStatus().ingest.connected ? p : null;
    }, 'segments from GStreamer');
    // 300 × 1152 samples at 22.05 kHz = 15.7 s: seven full segments and a short last one, six listed.
    for (const seg of pl.segments.slice(0, -1))
      assert.ok(Math.abs(seg.duration - 2) <= 0.027, `${seg.uri}: ${seg.duration}`);
    assert.deepEqual(s.packager.getStatus().codecs, ['mp3']);
  });
});

describe('ffmpeg as a player', () => {
  it('reads the live playlist over HTTP for several segments with no error', async () => {
    const s = await server({ segmentDurationSec: 1, window: 6 });
    const enc = publishLive(await makeTs('mp3', 30), s.ingestPort);
    try {
      await waitFor(
        async () => {
          const p = await playlist(s);
          return p && p.segments.length >= 3;
        },
        'three live segments',
        20_000,
      );
      const { stderr } = await run(
        'ffmpeg',
        [
          '-hide_banner',
          '-v',
          'warning',
          '-i',
          `${s.baseUrl}/hls/live.m3u8`,
          '-t',
          '6',
          '-f',
          'null',
          '-',
        ],
        { timeout: 30_000 },
      );
      assert.equal(stderr.trim(), '');
    } finally {
      await stopProcess(enc);
    }
  });
});
