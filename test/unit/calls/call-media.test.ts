// test/unit/calls/call-media.test.ts: frames out of our segments (timing, PTS wrap), a call's frame span, its TS chunks (frames byte for byte, CC continuous) and the MP3 with ID3 (built streams, no ffmpeg).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  callFrames,
  runsDurationSec,
  segmentAudio,
  type TimedSegment,
} from '../../../src/calls/call-frames.js';
import {
  callDownload,
  callTags,
  CHUNK_SEC,
  chunkTs,
  planChunks,
} from '../../../src/calls/call-media.js';
import { transmissionRow } from '../../../src/calls/call-recorder.js';
import { callPlaylist, windowPlaylist } from '../../../src/calls/replay-playlists.js';
import { parseId3Tag } from '../../../src/id3/id3v2.js';
import { ccAt, PACKET_SIZE, pidAt } from '../../../src/ts/packet.js';
import { elementaryStreams } from '../../helpers/es.js';
import { type BuilderCodec, buildTsStream, randInt, rng } from '../../helpers/ts-builder.js';

const PDT = Date.UTC(2026, 0, 1, 12);

/** Consecutive 1-second segments of one stream, each cut on a PES boundary, like the packager's. */
function segmentsOf(codec: BuilderCodec, seconds: number, framesPerPes: number, startPts = 126000) {
  const out: TimedSegment[] = [];
  const raw: Buffer[] = [];
  let pts = startPts;
  let pdt = PDT;
  for (let i = 0; i < seconds; i++) {
    const b = buildTsStream({ codec, seconds: 1, framesPerPes, startPts: pts });
    const audio = segmentAudio(b.bytes, pdt);
    assert.ok(audio);
    out.push({ audio, discontinuity: false });
    raw.push(b.bytes);
    // A whole tick, so the builder puts PAT and PMT first, as every one of our segments has them.
    pts = Math.round(pts + b.frames * b.frameTicks);
    pdt += b.durationSec * 1000;
  }
  return { segments: out, raw };
}

describe('segmentAudio', () => {
  for (const codec of ['mp3', 'mp3-lsf', 'aac'] as const) {
    for (const perPes of [1, 4, 9]) {
      it(`${codec}, ${perPes} frame(s) per PES: every frame, its PTS and wall time`, () => {
        const b = buildTsStream({
          codec,
          seconds: 1,
          framesPerPes: perPes,
          startPts: 2 ** 33 - 20000,
        });
        const a = segmentAudio(b.bytes, PDT);
        assert.ok(a);
        assert.equal(a.frames.length, b.frames);
        assert.equal(a.track.framing, b.framing);
        assert.equal(a.track.sampleRate, b.sampleRate);
        assert.deepEqual(
          Buffer.concat(a.frames.map((f) => f.data)),
          elementaryStreams(b.bytes).get(b.audioPid),
        );
        a.frames.forEach((f, k) => {
          const expect =
            Math.round(b.pesPts[Math.floor(k / perPes)] + (k % perPes) * b.frameTicks) % 2 ** 33;
          assert.ok(Math.abs(f.pts - expect) <= 1, `frame ${k} PTS across the wrap`);
          assert.ok(
            Math.abs(f.wallMs - (PDT + (k * b.frameTicks) / 90)) < 0.02,
            `frame ${k} wall time`,
          );
        });
      });
    }
  }

  it('is null for bytes that are no audio TS', () => {
    assert.equal(segmentAudio(new Uint8Array(188 * 3), PDT), null);
  });
});

describe('callFrames', () => {
  it('takes the frames whose middle lies in the span: its length to within one frame', () => {
    const { segments } = segmentsOf('mp3', 6, 4);
    const frameMs = (1152 / 44100) * 1000;
    const r = rng(9);
    for (let i = 0; i < 300; i++) {
      const start = PDT + randInt(r, -500, 5000) + r();
      const end = start + randInt(r, 1, 4000);
      const runs = callFrames(segments, start, end);
      const frames = runs.flatMap((x) => x.frames);
      for (const f of frames)
        assert.ok(f.wallMs + frameMs / 2 >= start && f.wallMs + frameMs / 2 < end);
      if (start >= PDT && end <= PDT + 5900) {
        assert.ok(runs.length <= 1, 'one run: the segments follow on');
        assert.ok(
          Math.abs(runsDurationSec(runs) * 1000 - (end - start)) <= frameMs,
          `${start}..${end}`,
        );
      }
    }
  });

  it('starts a new run at a discontinuity or a PTS jump', () => {
    const a = segmentsOf('mp3', 2, 1).segments;
    const b = segmentsOf('mp3', 2, 1, 5_000_000).segments.map((s, i) => ({
      audio: {
        ...s.audio,
        frames: s.audio.frames.map((f) => ({ ...f, wallMs: f.wallMs + 2000 })),
      },
      discontinuity: i === 0,
    }));
    const runs = callFrames([...a, ...b], PDT, PDT + 4000);
    assert.equal(runs.length, 2);
    const jump = callFrames(
      [...a, ...b.map((s) => ({ ...s, discontinuity: false }))],
      PDT,
      PDT + 4000,
    );
    assert.equal(jump.length, 2, 'the PTS does not follow on');
  });
});

describe('chunks and downloads', () => {
  for (const codec of ['mp3', 'aac'] as const) {
    it(`${codec}: chunks hold the call's frames byte for byte, with PTS kept and CC continuous`, () => {
      const { segments } = segmentsOf(codec, 7, 4);
      const runs = callFrames(segments, PDT + 333, PDT + 6200);
      const chunks = planChunks(runs);
      assert.ok(chunks.length >= 3);
      for (const c of chunks) assert.ok(c.durationSec <= CHUNK_SEC + 1e-9);
      const files = chunks.map((_, n) => chunkTs(chunks, n));
      assert.equal(chunkTs(chunks, chunks.length), null);
      const joined = Buffer.concat(files.map((f) => f ?? new Uint8Array()));
      const pid = runs[0].track.audioPid;
      const want = Buffer.concat(runs.flatMap((r) => r.frames.map((f) => f.data)));
      assert.deepEqual(elementaryStreams(joined).get(pid), want);
      let last = -1;
      for (let off = 0; off < joined.length; off += PACKET_SIZE) {
        if (pidAt(joined, off) !== pid) continue;
        const cc = ccAt(joined, off);
        if (last >= 0) assert.equal(cc, (last + 1) & 15, 'continuity counter');
        last = cc;
      }
      // Each chunk reads back as audio with the same PTS and timing.
      const back = files.flatMap(
        (f, n) => segmentAudio(f ?? new Uint8Array(), chunks[n].wallMs)?.frames ?? [],
      );
      assert.deepEqual(
        back.map((f) => f.pts),
        runs.flatMap((r) => r.frames.map((f) => f.pts)),
      );
      const text = callPlaylist('123', chunks);
      assert.match(text, /#EXT-X-PLAYLIST-TYPE:VOD\n/);
      assert.match(text, /#EXT-X-ENDLIST\n$/);
      const sum = [...text.matchAll(/#EXTINF:([\d.]+),/g)].reduce((s, m) => s + Number(m[1]), 0);
      assert.ok(Math.abs(sum - runsDurationSec(runs)) < 1e-5);
      assert.match(text, /\n123\/0\.ts\n/);
    });
  }

  it('the download is one ID3v2.4 tag then the frames, nothing else', () => {
    const { segments } = segmentsOf('mp3', 3, 4);
    const runs = callFrames(segments, PDT + 100, PDT + 2500);
    const call = transmissionRow(
      {
        start: new Date(PDT + 100).toISOString(),
        end: new Date(PDT + 2500).toISOString(),
        durationSec: 2.4,
        frequencyMHz: 154.415,
        channel: 12,
        bank: 1,
        talkgroup: '2416',
        label: 'Fire Dispatch',
      },
      'mp3',
    );
    const file = callDownload(runs, callTags(call, runsDurationSec(runs)));
    const tag = parseId3Tag(file);
    const text = Object.fromEntries(
      tag.frames.map((f) =>
        'text' in f ? [f.id, f.text] : 'value' in f ? [f.description, f.value] : [f.id, ''],
      ),
    );
    assert.equal(text.TIT2, 'Fire Dispatch');
    assert.equal(text.TDRC, '2026-01-01T12:00:00');
    assert.equal(text.frequency, '154.4150 MHz');
    assert.equal(text.talkgroup, '2416');
    assert.equal(text.call, String(call.id));
    assert.equal(Number(text.TLEN), Math.round(runsDurationSec(runs) * 1000));
    assert.deepEqual(
      Buffer.from(file.subarray(tag.size)),
      Buffer.concat(runs.flatMap((r) => r.frames.map((f) => f.data))),
    );
  });

  it('a time-shift playlist marks discontinuities where the run or sequence breaks, and GAPs', () => {
    const row = (msn: number, run: string, over = {}) => ({
      uri: `live-${run}-${msn}.ts`,
      stream: 'live',
      run,
      msn,
      pdt: PDT + msn * 1000,
      duration: 1,
      bytes: 100,
      discontinuity: false,
      gap: false,
      retained: true,
      ...over,
    });
    const text = windowPlaylist(
      [
        row(1, 'a'),
        row(2, 'a', { gap: true }),
        row(4, 'a'),
        row(5, 'b'),
        row(6, 'b', { discontinuity: true }),
      ],
      1,
    );
    const lines = text.split('\n');
    const before = (uri: string) => lines.slice(0, lines.indexOf(uri)).reverse();
    const tagsBefore = (uri: string) =>
      before(uri).slice(0, before(uri).findIndex((l) => l.endsWith('.ts')) >>> 0);
    assert.ok(!tagsBefore('live-a-1.ts').includes('#EXT-X-DISCONTINUITY'));
    assert.ok(tagsBefore('live-a-2.ts').includes('#EXT-X-GAP'));
    for (const u of ['live-a-4.ts', 'live-b-5.ts', 'live-b-6.ts'])
      assert.ok(tagsBefore(u).includes('#EXT-X-DISCONTINUITY'), u);
    assert.match(text, /#EXT-X-PLAYLIST-TYPE:VOD\n/);
    assert.match(text, /#EXT-X-ENDLIST\n$/);
    assert.equal((text.match(/#EXT-X-PROGRAM-DATE-TIME/g) ?? []).length, 5);
  });
});
