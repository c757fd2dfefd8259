// test/integration/calls-api.test.ts: the real server with the simulated scanner and an ffmpeg publisher: calls recorded as transmitted, /api/calls and its errors, exports, the call's playlist and MP3 judged by ffmpeg/ffprobe (exact duration, frames byte for byte), time-shift, and a restart.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { CallJson } from '../../src/calls/call-format.js';
import { parseId3Tag } from '../../src/id3/id3v2.js';
import {
  ffmpegDecodeErrors,
  ffprobeJson,
  makeTs,
  publishLive,
  stopProcess,
} from '../helpers/media.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { startSimFeed } from '../helpers/sim-feed.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
/** One MPEG-1 Layer III frame at 44.1 kHz. */
const FRAME_SEC = 1152 / 44100;

let dir = '';
let s: TestServer;
let pub: ReturnType<typeof publishLive>;
let calls: CallJson[] = [];

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${s.baseUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

async function listCalls(qs = ''): Promise<{ calls: CallJson[]; next: string | null }> {
  const r = await getJson(`/api/calls${qs}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as { calls: CallJson[]; next: string | null };
}

async function durationOf(target: string): Promise<number> {
  const j = (await ffprobeJson(target, ['-show_entries', 'format=duration'])) as {
    format: { duration: string };
  };
  return Number(j.format.duration);
}

/** Decoded length in seconds: samples ffmpeg decodes, counted as 16-bit mono PCM bytes. */
async function decodedSec(target: string): Promise<number> {
  const out = join(dir, `pcm-${Math.random().toString(36).slice(2)}.raw`);
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    target,
    '-ac',
    '1',
    '-ar',
    '44100',
    '-f',
    's16le',
    out,
  ]);
  return readFileSync(out).length / 2 / 44100;
}

const options = { scanner: 'sim', retentionSec: 3600, segmentDurationSec: 1, window: 6 } as const;

void before(async () => {
  dir = tempDir('calls-api-');
  const feed = await startSimFeed(options, { dir }, { codec: 'mp3', seconds: 60 });
  s = feed.s;
  pub = feed.pub;
  const sim = feed.sim;
  sim.transmit(3200, '2416');
  await waitFor(async () => (await listCalls()).calls.length === 1, 'the first call recorded');
  await new Promise((r) => setTimeout(r, 4500));
  sim.transmit(2100);
  await waitFor(
    async () => {
      const l = await listCalls();
      return l.calls.length === 2 && l.calls.every((c) => !c.open);
    },
    'two closed calls',
    20_000,
  );
  // Their audio has left the live window (6 s) and is kept for --retention.
  await new Promise((r) => setTimeout(r, 8000));
  calls = (await listCalls()).calls;
});

void after(async () => {
  await stopProcess(pub);
  await s.close();
});

describe('the call log over HTTP', () => {
  it('records every transmission the scanner reported, keyed by its start', () => {
    const txs = s.scanner?.transmissions() ?? [];
    assert.equal(calls.length, 2);
    assert.deepEqual(
      calls.map((c) => c.id),
      txs.map((t) => String(Date.parse(t.start))),
    );
    for (const [i, t] of txs.entries()) {
      const c = calls[i];
      assert.equal(c.start_time, Date.parse(t.start) / 1000);
      assert.equal(c.stop_time, Date.parse(t.end ?? '') / 1000);
      assert.equal(c.freq, Math.round((t.frequencyMHz ?? 0) * 1e6));
      assert.equal(c.channel, t.channel);
      assert.equal(c.talkgroup, t.talkgroup);
      assert.equal(c.open, false);
      assert.equal(c.m3u8, `/api/calls/${c.id}.m3u8`);
      assert.equal(c.audio, `/api/calls/${c.id}.mp3`);
    }
    assert.equal(calls[1]?.talkgroup, '2416');
  });

  it('answers one call by id, filters, pages, and 404s an unknown id', async () => {
    const one = await getJson(`/api/calls/${calls[0]?.id}`);
    assert.deepEqual(one.body, calls[0]);
    assert.deepEqual((await listCalls('?talkgroup=2416')).calls, [calls[1]]);
    const page = await listCalls('?limit=1');
    assert.deepEqual(page.calls, [calls[0]]);
    assert.ok(page.next);
    assert.deepEqual((await listCalls(`?limit=1&cursor=${page.next}`)).calls, [calls[1]]);
    assert.equal((await getJson('/api/calls/1234')).status, 404);
  });

  it('refuses a bad query with a 400 and one line naming the parameter', async () => {
    for (const [qs, re] of [
      ['?since=soon', /^invalid since "soon"/],
      ['?limit=9999', /^invalid limit/],
      ['?frequency=fm', /^invalid frequency/],
      ['?cursor=abc', /^invalid cursor/],
      ['?sort=asc', /^unknown parameter "sort"$/],
    ] as const) {
      const r = await getJson(`/api/calls${qs}`);
      assert.equal(r.status, 400, qs);
      const { error } = r.body as { error: string };
      assert.match(error, re);
      assert.ok(!error.includes('\n'));
    }
    const ex = await getJson('/api/calls/export?format=xml');
    assert.equal(ex.status, 400);
    assert.match(
      (ex.body as { error: string }).error,
      /^invalid format "xml": must be ndjson or csv$/,
    );
  });

  it('exports the same rows as NDJSON and CSV', async () => {
    const nd = await fetch(`${s.baseUrl}/api/calls/export?format=ndjson`);
    assert.match(nd.headers.get('content-type') ?? '', /application\/x-ndjson/);
    const rows = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CallJson);
    assert.deepEqual(rows, calls);
    const csv = await (
      await fetch(`${s.baseUrl}/api/calls/export?format=csv&talkgroup=2416`)
    ).text();
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /^id,start_time,stop_time,call_length,freq,talkgroup,/);
    assert.ok(lines[1]?.startsWith(`${calls[1]?.id},`));
  });
});

describe('replay of a call', () => {
  it('its VOD playlist plays in ffmpeg and lasts the call to within one frame', async () => {
    for (const c of calls) {
      const url = `${s.baseUrl}${c.m3u8}`;
      const text = await (await fetch(url)).text();
      assert.match(text, /#EXT-X-PLAYLIST-TYPE:VOD\n/);
      assert.match(text, /#EXT-X-ENDLIST\n$/);
      assert.match(text, /#EXT-X-PROGRAM-DATE-TIME:/);
      const length = c.call_length ?? 0;
      const probed = await durationOf(url);
      assert.ok(
        Math.abs(probed - length) <= FRAME_SEC,
        `ffprobe ${probed} s for a ${length} s call`,
      );
      const decoded = await decodedSec(url);
      assert.ok(
        Math.abs(decoded - length) <= FRAME_SEC,
        `decoded ${decoded} s for a ${length} s call`,
      );
      assert.equal(await ffmpegDecodeErrors(url), '');
    }
  });

  it("its MP3 is the segments' frames byte for byte after one ID3 tag, and lasts the call", async () => {
    const c = calls[1];
    assert.ok(c);
    const res = await fetch(`${s.baseUrl}${c.audio}`);
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="call-.*\.mp3"$/,
    );
    const file = Buffer.from(await res.arrayBuffer());
    const tag = parseId3Tag(file);
    const fields = new Map(
      tag.frames.map((f) =>
        'text' in f ? [f.id, f.text] : 'value' in f ? [f.description, f.value] : [f.id, ''],
      ),
    );
    assert.equal(fields.get('TDRC'), new Date(Number(c.id)).toISOString().slice(0, 19));
    assert.equal(fields.get('frequency'), `${((c.freq ?? 0) / 1e6).toFixed(4)} MHz`);
    assert.equal(
      fields.get('TIT2'),
      `${((c.freq ?? 0) / 1e6).toFixed(4)} MHz`,
      'no label: the frequency',
    );
    const frames = file.subarray(tag.size);
    // The judge: ffmpeg's own demux of the segments that hold the call, as an MP3 elementary stream.
    const start = new Date(Number(c.id) - 2000).toISOString();
    const end = new Date((c.stop_time ?? 0) * 1000 + 2000).toISOString();
    const window = await (
      await fetch(`${s.baseUrl}/hls/live.m3u8?start=${start}&end=${end}`)
    ).text();
    const uris = window.split('\n').filter((l) => l.endsWith('.ts'));
    const segs = await Promise.all(
      uris.map(async (u) =>
        Buffer.from(await (await fetch(`${s.baseUrl}/hls/${u}`)).arrayBuffer()),
      ),
    );
    const joined = join(dir, 'segments.ts');
    writeFileSync(joined, Buffer.concat(segs));
    const es = join(dir, 'segments.mp3');
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      joined,
      '-c',
      'copy',
      '-write_xing',
      '0',
      '-id3v2_version',
      '0',
      '-f',
      'mp3',
      es,
    ]);
    const whole = readFileSync(es);
    const at = whole.indexOf(frames);
    assert.ok(at >= 0, 'the download is a run of the frames ffmpeg finds in the segments');
    assert.ok(frames.length > 10_000);
    const mp3 = join(dir, 'call.mp3');
    writeFileSync(mp3, file);
    const length = c.call_length ?? 0;
    assert.ok(Math.abs((await decodedSec(mp3)) - length) <= FRAME_SEC);
    assert.ok(Math.abs((await durationOf(mp3)) - length) <= FRAME_SEC);
    assert.equal((await fetch(`${s.baseUrl}/api/calls/${c.id}.aac`)).status, 404, 'not AAC');
  });

  it('a time-shift playlist of retained segments plays in ffmpeg', async () => {
    const start = new Date(Number(calls[1]?.id) - 1000).toISOString();
    const end = new Date(Date.now() - 1000).toISOString();
    const url = `${s.baseUrl}/hls/live.m3u8?start=${start}&end=${end}`;
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    const text = await res.text();
    assert.match(text, /#EXT-X-PLAYLIST-TYPE:VOD\n/);
    assert.match(text, /#EXT-X-ENDLIST\n$/);
    const n = text.split('\n').filter((l) => l.endsWith('.ts')).length;
    assert.equal((text.match(/#EXT-X-PROGRAM-DATE-TIME/g) ?? []).length, n);
    assert.ok(n >= 10);
    assert.equal(await ffmpegDecodeErrors(url), '');
    const bad = await fetch(`${s.baseUrl}/hls/live.m3u8?start=${end}&end=${start}`);
    assert.equal(bad.status, 400);
    assert.equal(await bad.text(), 'invalid end: must be later than start\n');
    const live = await fetch(`${s.baseUrl}/hls/live.m3u8`);
    assert.doesNotMatch(
      await live.text(),
      /PLAYLIST-TYPE/,
      'without start and end: the live playlist',
    );
  });
});

describe('after a restart', () => {
  it('keeps the calls and their retained audio', async () => {
    await stopProcess(pub);
    await s.close();
    s = await startTestServer(options, { dir });
    if (s.scanner?.simulator) s.scanner.simulator.behaviour.activity = 0;
    pub = publishLive(await makeTs('mp3', 60), s.ingestPort);
    // Longer than the packager's availability time for strays: (window + 2) × target = 8 s.
    await new Promise((r) => setTimeout(r, 9000));
    // The restarted simulator may have reported a call of its own before it was quietened.
    const until = new Date(Number(calls[0]?.id) + 1).toISOString();
    const again = await listCalls(`?until=${until}`);
    assert.deepEqual(again.calls, calls);
    for (const c of calls) {
      const probed = await durationOf(`${s.baseUrl}${c.m3u8}`);
      assert.ok(Math.abs(probed - (c.call_length ?? 0)) <= FRAME_SEC);
    }
  });
});
