// test/unit/hls/gap.test.ts: input outages (RFC 8216bis §6.2.1, §4.4.4.7): GapPlanner decisions, the rendered GAP playlist (golden), and the packager keeping the playlist moving.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GapWatch } from '../../../src/gap-watch.js';
import { GapPlanner } from '../../../src/hls/gap-planner.js';
import { LiveWindow } from '../../../src/hls/live-window.js';
import { renderMediaPlaylist } from '../../../src/hls/render.js';
import { scanTimeline, type TsTimeline } from '../../../src/ingest/ts-timeline.js';
import type { Packager } from '../../../src/packager.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { testPackager } from '../../helpers/packager.js';
import { ffmpegDecodeErrors, ffprobeJson, makeTs } from '../../helpers/media.js';
import { ccBreaks, firstPesPid, pesTimes } from '../../helpers/ts-bytes.js';
import { tempDir } from '../../helpers/server.js';

const golden = (name: string) =>
  readFileSync(new URL(`../../golden/${name}`, import.meta.url), 'utf8');
const T0 = Date.parse('2026-11-24T03:00:00.000Z');

describe('GapPlanner', () => {
  it('declares an outage after one segment of silence, then covers each passed segment span once', () => {
    const g = new GapPlanner(2);
    assert.equal(g.nextCheckMs(), null, 'nothing to watch before the first input');
    g.onInput(T0);
    g.onSegment(T0 + 1900);
    assert.equal(g.isSilent(T0 + 1999), false);
    assert.equal(g.isSilent(T0 + 2000), true);
    g.declareLost(T0 + 2000);
    assert.deepEqual(g.fill(T0 + 2000, 10), []);
    assert.equal(g.nextCheckMs(), T0 + 3900);
    assert.deepEqual(g.fill(T0 + 6000, 10), [
      { programDateTimeMs: T0 + 1900, durationSec: 2 },
      { programDateTimeMs: T0 + 3900, durationSec: 2 },
    ]);
    assert.deepEqual(g.fill(T0 + 6000, 10), [], 'a span is listed once');
    assert.equal(g.onInput(T0 + 6500), true, 'input after an outage is a resume');
    assert.deepEqual(g.fill(T0 + 20000, 10), [], 'no GAP while receiving');
  });

  it('after a long stall lists at most a window of GAP segments, the newest ones', () => {
    const g = new GapPlanner(1);
    g.onInput(T0);
    g.onSegment(T0);
    g.declareLost(T0 + 1000);
    const out = g.fill(T0 + 100_000, 3);
    assert.deepEqual(
      out.map((s) => s.programDateTimeMs - T0),
      [97_000, 98_000, 99_000],
    );
  });
});

describe('GapWatch', () => {
  /** A watch with 1 s segments on a fake clock that has just seen input; counts what it tells its owner. */
  function watching() {
    const clock = new FakeClock(T0);
    const told = { lost: 0, gaps: 0, resumed: 0 };
    const w = new GapWatch({ stepSec: 1, lostAfterSec: 1 }, 10, clock, {
      lost: () => void told.lost++,
      gap: () => void told.gaps++,
      resumed: () => void told.resumed++,
    });
    w.input();
    return { clock, w, told };
  }

  /** The loop is blocked for 1.5 s; Node then runs the overdue timer before it reads the socket. */
  async function afterStall() {
    const x = watching();
    x.clock.stall(1500);
    await x.clock.advance(0);
    assert.equal(x.told.lost, 0, 'a late timer looks again after one poll');
    return x;
  }

  it('calls the input lost when its timer fires on time after a silent second', async () => {
    const { clock, w, told } = watching();
    await clock.advance(999);
    assert.equal(told.lost, 0);
    await clock.advance(1);
    assert.equal(told.lost, 1, 'declared on time, with no second look');
    w.close();
  });

  it('a stalled event loop is not an outage: input read after the late timer keeps the stream', async () => {
    const { clock, w, told } = await afterStall();
    w.input();
    await clock.advance(60);
    assert.deepEqual(told, { lost: 0, gaps: 0, resumed: 0 });
    w.close();
  });

  it('after a stall with no input waiting, the second look declares the outage', async () => {
    const { clock, w, told } = await afterStall();
    await clock.advance(50);
    assert.equal(told.lost, 1);
    w.close();
  });
});

describe('GAP playlist (golden)', () => {
  it('§4.4.4.7: GAP segments carry EXT-X-GAP before EXTINF; the resumed segment carries DISCONTINUITY', () => {
    const w = new LiveWindow({ size: 5, targetDurationSec: 2 });
    const at = (sec: number) => T0 + sec * 1000;
    w.add({ uri: 'live-r1-0.ts', durationSec: 2, discontinuity: false, programDateTimeMs: at(0) });
    w.add({ uri: 'live-r1-1.ts', durationSec: 2, discontinuity: false, programDateTimeMs: at(2) });
    w.add({
      uri: 'live-r1-2.ts',
      durationSec: 1.201633,
      discontinuity: false,
      programDateTimeMs: at(4),
    });
    for (const [n, sec] of [
      [3, 5.202],
      [4, 7.202],
    ]) {
      w.add({
        uri: `live-r1-${n}-gap.ts`,
        durationSec: 2,
        discontinuity: false,
        programDateTimeMs: at(sec),
        gap: true,
      });
    }
    w.add({
      uri: 'live-r1-5.ts',
      durationSec: 2.011429,
      discontinuity: true,
      programDateTimeMs: at(9.5),
    });
    assert.equal(renderMediaPlaylist(w.toPlaylist('live')), golden('live-gap.m3u8'));
  });
});

/** Pushes the file's bytes whose timestamps fall in [fromSec, toSec) at their due fake time. */
async function play(p: Packager, clock: FakeClock, t: TsTimeline, fromSec: number, toSec: number) {
  const start = clock.now();
  const marks = t.marks.filter((m) => m.ticks >= fromSec * 90000 && m.ticks < toSec * 90000);
  for (const m of marks) {
    const due = start + (m.ticks - fromSec * 90000) / 90;
    if (due > clock.now()) await clock.advance(due - clock.now());
    const next = t.marks[t.marks.indexOf(m) + 1]?.offset ?? t.bytes.length;
    p.push(t.bytes.subarray(m.offset, next));
  }
  await p.idle();
}

describe('Packager during an outage', () => {
  it('§6.2.1: keeps adding GAP segments within 1.5 × TD, says no-signal, and resumes with a discontinuity', async () => {
    const dir = tempDir();
    const clock = new FakeClock(T0);
    const p = testPackager(dir, clock, { segmentDurationSec: 1, targetDurationSec: 1, window: 20 });
    await p.init();
    const t = scanTimeline(readFileSync(await makeTs('mp3-lsf', 6)));
    p.startSession('test');
    await play(p, clock, t, 0, 3);
    assert.equal(p.getStatus().signal, 'receiving');
    // Step the clock and let each write finish, noting when the playlist text changes.
    const updates: number[] = [clock.now()];
    let seen = p.playlistText();
    for (let i = 0; i < 60; i++) {
      await clock.advance(100);
      await p.idle();
      if (p.playlistText() !== seen) updates.push(clock.now());
      seen = p.playlistText();
    }
    assert.equal(p.getStatus().signal, 'no-signal');
    const text = p.playlistText() ?? '';
    const gaps = text.split('\n').filter((l) => l === '#EXT-X-GAP').length;
    assert.ok(gaps >= 4, `GAP segments listed during 6 s: ${gaps}\n${text}`);
    for (let i = 1; i < updates.length; i++) {
      assert.ok(updates[i] - updates[i - 1] <= 1500, `updates ${updates[i - 1]} → ${updates[i]}`);
    }
    assert.ok(
      clock.now() - (updates.at(-1) ?? 0) <= 1500,
      'the playlist is still moving at the end',
    );
    // The encoder comes back with timestamps that restart (the same file from its start).
    await play(p, clock, t, 0, 3);
    const after = p.playlistText() ?? '';
    assert.equal(p.getStatus().signal, 'receiving');
    const lines = after.split('\n');
    const lastGap = lines.lastIndexOf('#EXT-X-GAP');
    const resumed = lines.slice(lastGap).findIndex((l) => l === '#EXT-X-DISCONTINUITY');
    assert.ok(resumed > 0, `the first segment after the GAPs is marked:\n${after}`);
    const uris = lines.filter((l) => l.endsWith('.ts'));
    assert.equal(new Set(uris).size, uris.length, 'segment names are unique');
    const gapUris = uris.filter((u) => u.endsWith('-gap.ts'));
    assert.ok(gapUris.length >= 4);
    await p.close();
  });
});

describe('GAP segment files', () => {
  for (const kind of ['mp3-lsf', 'aac'] as const) {
    it(`${kind}: every GAP URI is a file of silence in the stream's format, as long as its EXTINF, timestamps going on`, async () => {
      const dir = tempDir();
      const clock = new FakeClock(T0);
      const p = testPackager(dir, clock, {
        segmentDurationSec: 1,
        targetDurationSec: 1,
        window: 20,
      });
      await p.init();
      const t = scanTimeline(readFileSync(await makeTs(kind, 6)));
      p.startSession('test');
      await play(p, clock, t, 0, 3);
      for (let i = 0; i < 50; i++) {
        await clock.advance(100);
        await p.idle();
      }
      const lines = (p.playlistText() ?? '').split('\n');
      const entries: { uri: string; extinf: number; gap: boolean }[] = [];
      let extinf = 0;
      let gap = false;
      for (const l of lines) {
        if (l.startsWith('#EXTINF:')) extinf = Number(l.slice(8).replace(',', ''));
        else if (l === '#EXT-X-GAP') gap = true;
        else if (l.endsWith('.ts')) {
          entries.push({ uri: l, extinf, gap });
          gap = false;
        }
      }
      const gaps = entries.filter((e) => e.gap);
      assert.ok(gaps.length >= 3, `GAP segments: ${gaps.length}`);
      const file = (uri: string) => join(dir, 'seg', uri);
      const probe = (await ffprobeJson(file(entries[0].uri), [
        '-show_entries',
        'stream=codec_name,sample_rate,channels',
      ])) as { streams: { codec_name: string; sample_rate: string; channels: number }[] };
      const frameSec = kind === 'aac' ? 1024 / 48000 : 576 / 22050;
      for (const g of gaps) {
        assert.ok(existsSync(file(g.uri)), `${g.uri} is on disk`);
        assert.equal(await ffmpegDecodeErrors(file(g.uri)), '', `${g.uri} decodes cleanly`);
        const got = (await ffprobeJson(file(g.uri), [
          '-show_entries',
          'stream=codec_name,sample_rate,channels',
        ])) as typeof probe;
        assert.deepEqual(got.streams, probe.streams, `${g.uri}: same codec, rate and channels`);
        assert.ok(Math.abs(g.extinf - 1) <= frameSec, `${g.uri}: ${g.extinf} s`);
      }
      // The first GAP segment's timestamps go on from the end of the last real one.
      const lastReal = entries[entries.indexOf(gaps[0]) - 1];
      const realBytes = readFileSync(file(lastReal.uri));
      const pid = firstPesPid(realBytes);
      const realEnd = (pesTimes(realBytes, pid)[0] ?? 0) + lastReal.extinf * 90000;
      const gapStart = pesTimes(readFileSync(file(gaps[0].uri)), pid)[0] ?? -1;
      assert.ok(Math.abs(gapStart - realEnd) <= frameSec * 90000, `${gapStart} vs ${realEnd}`);
      for (let i = 1; i < gaps.length; i++) {
        const prev = readFileSync(file(gaps[i - 1].uri));
        const start = pesTimes(readFileSync(file(gaps[i].uri)), pid)[0] ?? -1;
        const prevStart = pesTimes(prev, pid)[0] ?? 0;
        assert.ok(Math.abs(start - (prevStart + gaps[i - 1].extinf * 90000)) < 2, gaps[i].uri);
        assert.equal(ccBreaks(Buffer.concat([prev, readFileSync(file(gaps[i].uri))]), pid), 0);
      }
      await p.close();
    });
  }
});
