// test/unit/hls/segmenter.test.ts: the segmenter on ffmpeg-made MP3, AAC and H.264 streams: grid, frame accuracy, PSI, damage.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type CutSegment,
  Segmenter,
  type SegmenterEvent,
  type SegmenterOptions,
} from '../../../src/hls/segmenter.js';
import { pidAt } from '../../../src/ts/packet.js';
import { ID3_PID, injectId3 } from '../../helpers/id3-inject.js';
import { ffmpegDecodeErrors, ffprobeJson, makeTs, type MediaKind } from '../../helpers/media.js';
import { tempDir } from '../../helpers/server.js';
import { ccBreaks, firstPesPid, packets, pesTimes, pids } from '../../helpers/ts-bytes.js';

/** A segmenter whose events are recorded, with segment bytes copied (they are views into a reused buffer). */
function recorder(opts: SegmenterOptions): { s: Segmenter; events: SegmenterEvent[] } {
  const events: SegmenterEvent[] = [];
  const s = new Segmenter(opts, (e) =>
    events.push(
      e.type === 'segment'
        ? { ...e, segment: { ...e.segment, bytes: e.segment.bytes.slice() } }
        : e,
    ),
  );
  return { s, events };
}

function segmentAll(
  data: Uint8Array,
  chunk = 1316,
  durationSec = 2,
): { segs: CutSegment[]; events: SegmenterEvent[]; s: Segmenter } {
  const { s, events } = recorder({
    segmentDurationSec: durationSec,
    targetDurationSec: Math.ceil(durationSec),
    program: null,
  });
  for (let i = 0; i < data.length; i += chunk)
    s.push(data.subarray(i, i + chunk), 1_700_000_000_000);
  s.end(1_700_000_000_000);
  const segs = events.flatMap((e) => (e.type === 'segment' ? [e.segment] : []));
  return { segs, events, s };
}

const FRAME_SEC: Record<string, number> = {
  mp3: 1152 / 44100,
  'mp3-lsf': 576 / 22050,
  aac: 1024 / 48000,
};

describe('Segmenter on audio', () => {
  for (const kind of ['mp3', 'mp3-lsf', 'aac'] as MediaKind[]) {
    it(`${kind}: every segment ends within one frame of its 2 s grid point`, async () => {
      const data = readFileSync(await makeTs(kind, 21));
      const { segs, s } = segmentAll(data);
      assert.ok(segs.length >= 10, `got ${segs.length} segments`);
      const origin = segs[0].startTicks;
      const frame = FRAME_SEC[kind];
      segs.forEach((seg, n) => {
        // Cumulative grid: segment n starts at origin + n × 2 s, give or take one frame.
        const drift = (seg.startTicks - origin) / 90000 - 2 * n;
        assert.ok(
          Math.abs(drift) <= frame,
          `segment ${n} starts ${drift.toFixed(4)} s off the grid`,
        );
        if (n < segs.length - 1) {
          const next = segs[n + 1];
          assert.ok(Math.abs(seg.durationSec - (next.startTicks - seg.startTicks) / 90000) < 1e-9);
          assert.ok(
            Math.round(seg.durationSec) <= 2,
            `EXTINF ${seg.durationSec} rounds above the target`,
          );
        }
        assert.equal(seg.discontinuity, false);
      });
      assert.ok(s.stats.splits > 0, 'multi-frame PES were split at frame boundaries');
      assert.equal(s.stats.ccErrors, 0);
    });
  }

  it('segments start with PAT then PMT, keep continuity counters, and decode cleanly', async () => {
    const data = readFileSync(await makeTs('mp3', 9));
    const { segs } = segmentAll(data, 777);
    const pid = firstPesPid(data);
    const dir = tempDir();
    const all = Buffer.concat(segs.map((s) => s.bytes));
    for (const [i, seg] of segs.entries()) {
      const p = pids(seg.bytes);
      assert.equal(p[0], 0, 'first packet is the PAT');
      assert.equal(p[1], 0x1000, 'second packet is the PMT');
      assert.ok(!p.slice(2).includes(0), 'no further PAT inside the segment');
      const f = join(dir, `s${i}.ts`);
      writeFileSync(f, seg.bytes);
      assert.equal(await ffmpegDecodeErrors(f), '', `segment ${i} decodes without warnings`);
    }
    assert.equal(ccBreaks(all, pid), 0, 'audio continuity counters run on across segments');
    assert.equal(ccBreaks(all, 0), 0, 'PAT counters run on across segments');
    const joined = join(dir, 'all.ts');
    writeFileSync(joined, all);
    assert.equal(await ffmpegDecodeErrors(joined), '');
  });

  it('keeps every audio frame: the split PES timestamps continue the original sequence', async () => {
    const data = readFileSync(await makeTs('aac', 9));
    const pid = firstPesPid(data);
    const { segs } = segmentAll(data);
    const out = pesTimes(Buffer.concat(segs.map((s) => s.bytes)), pid);
    const orig = pesTimes(data, pid);
    // Every original PES start is still there, plus one extra start per split.
    for (const t of orig) assert.ok(out.includes(t), `PES at ${t} kept`);
    assert.equal(out.length, orig.length + segs.length - 1);
    assert.deepEqual(
      [...out].sort((a, b) => a - b),
      out,
      'timestamps stay in order',
    );
  });
});

describe('Segmenter on H.264 + AAC', () => {
  it('cuts only on keyframes, on the grid, with PAT/PMT first', async () => {
    const data = readFileSync(await makeTs('h264', 9));
    const { segs, events } = segmentAll(data, 4096);
    assert.ok(segs.length >= 4);
    const dir = tempDir();
    for (const [i, seg] of segs.entries()) {
      assert.deepEqual(pids(seg.bytes).slice(0, 2), [0, 0x1000]);
      if (i < segs.length - 1)
        assert.ok(Math.abs(seg.durationSec - 2) < 0.001, `segment ${i}: ${seg.durationSec}`);
      const f = join(dir, `v${i}.ts`);
      writeFileSync(f, seg.bytes);
      assert.equal(await ffmpegDecodeErrors(f), '', `segment ${i} decodes on its own`);
      // The first video frame of every segment is a keyframe, so each segment decodes alone.
      const frames = (await ffprobeJson(f, [
        '-select_streams',
        'v',
        '-show_entries',
        'frame=key_frame',
        '-read_intervals',
        '%+#1',
      ])) as { frames: { key_frame: number }[] };
      assert.equal(frames.frames[0]?.key_frame, 1, `segment ${i} starts on a keyframe`);
    }
    assert.ok(!events.some((e) => e.type === 'warning' && e.code === 'gop-too-long'));
  });
});

describe('Segmenter on H.264 with a keyframe interval longer than the target duration', () => {
  it('keeps every EXTINF within the target duration, warns once, and says how to fix the encoder', async () => {
    const data = readFileSync(
      await makeTs('h264', 9, ['-g', '100', '-keyint_min', '100', '-sc_threshold', '0']),
    );
    const { segs, events } = segmentAll(data, 4096);
    for (const seg of segs)
      assert.ok(Math.round(seg.durationSec) <= 2, `EXTINF ${seg.durationSec}`);
    const warnings = events.filter((e) => e.type === 'warning' && e.code === 'gop-too-long');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].type === 'warning' ? warnings[0].message : '', /keyframe interval/);
  });
});

describe('Segmenter on damaged input', () => {
  it('counts a lost packet as one continuity error and keeps cutting on the grid', async () => {
    const data = readFileSync(await makeTs('mp3', 9));
    const pid = firstPesPid(data);
    // Drop the 300th packet of the audio PID.
    let seen = 0;
    let at = -1;
    for (let off = 0; off < data.length; off += 188) {
      if ((((data[off + 1] & 0x1f) << 8) | data[off + 2]) === pid && ++seen === 300) at = off;
    }
    const damaged = Buffer.concat([data.subarray(0, at), data.subarray(at + 188)]);
    const { segs, s, events } = segmentAll(damaged);
    assert.equal(s.stats.ccErrors, 1);
    assert.ok(events.some((e) => e.type === 'warning' && e.code === 'cc-error'));
    assert.equal(segs.length, 5);
  });

  it('skips garbage bytes and goes on when TS resumes', async () => {
    const data = readFileSync(await makeTs('mp3', 9));
    const garbage = Buffer.from('GET / HTTP/1.1\r\nHost: scanner\r\n\r\n'.repeat(20));
    const mixed = Buffer.concat([
      data.subarray(0, 188 * 500 + 33),
      garbage,
      data.subarray(188 * 501),
    ]);
    const { segs, s, events } = segmentAll(mixed, 1000);
    assert.ok(s.stats.resyncs >= 1);
    assert.ok(s.stats.skippedBytes >= garbage.length);
    assert.ok(events.some((e) => e.type === 'warning' && e.code === 'resync'));
    assert.equal(segs.length, 5);
  });

  it('starts a new segment with a discontinuity when the PMT changes (AAC to MP3)', async () => {
    const aac = readFileSync(await makeTs('aac', 5));
    const mp3 = readFileSync(await makeTs('mp3', 5, ['-tables_version', '1']));
    const { segs, events } = segmentAll(Buffer.concat([aac, mp3]));
    const disc = segs.filter((x) => x.discontinuity);
    assert.equal(disc.length, 1);
    assert.deepEqual(disc[0].codecs, ['mp3']);
    assert.deepEqual(segs[0].codecs, ['aac']);
    assert.ok(events.some((e) => e.type === 'warning' && e.code === 'pmt-change'));
  });

  it('starts a new segment with a discontinuity when timestamps jump', async () => {
    const a = readFileSync(await makeTs('mp3', 5));
    const b = readFileSync(await makeTs('mp3', 5, ['-output_ts_offset', '1000']));
    const { segs, events } = segmentAll(Buffer.concat([a, b]));
    assert.equal(segs.filter((x) => x.discontinuity).length, 1);
    assert.ok(events.some((e) => e.type === 'warning' && e.code === 'pts-jump'));
  });

  it('rides through the 33-bit PTS wrap with no discontinuity and no drift', async () => {
    // 2^33 / 90000 = 95443.72 s: start 3 s before the wrap.
    const data = readFileSync(await makeTs('mp3', 9, ['-output_ts_offset', '95440.7']));
    const pid = firstPesPid(data);
    const times = pesTimes(data, pid);
    assert.ok(
      times.some((t, i) => i > 0 && t < times[i - 1]),
      'the input really wraps',
    );
    const { segs, events } = segmentAll(data);
    assert.ok(!segs.some((x) => x.discontinuity));
    assert.ok(!events.some((e) => e.type === 'warning' && e.code === 'pts-jump'));
    const origin = segs[0].startTicks;
    segs.forEach((seg, n) =>
      assert.ok(Math.abs((seg.startTicks - origin) / 90000 - 2 * n) <= FRAME_SEC.mp3),
    );
  });
});

describe('Segmenter on a multi-program input', () => {
  it('publishes the first program in the PAT, or the one asked for, and drops the others', async () => {
    const data = readFileSync(await makeTs('mp3-two-programs', 5));
    const allPids = new Set(pids(data));
    for (const program of [null, 9]) {
      const { s, events } = recorder({ segmentDurationSec: 2, targetDurationSec: 2, program });
      s.push(data, 0);
      s.end(0);
      const segs = events.flatMap((e) => (e.type === 'segment' ? [e.segment] : []));
      assert.equal(segs.length, 3);
      const used = new Set(segs.flatMap((x) => pids(x.bytes)));
      const pmtPid = pids(segs[0].bytes)[1];
      const es = [...used].filter((p) => p !== 0 && p !== pmtPid);
      assert.equal(es.length, 1, `one elementary stream for program ${program}`);
      const announced = events.find((e) => e.type === 'program');
      assert.equal(announced?.type === 'program' && announced.program, program ?? 7);
      assert.ok(allPids.size > used.size, 'the other program was dropped');
      const dir = tempDir();
      writeFileSync(join(dir, 'a.ts'), segs[1].bytes);
      assert.equal(await ffmpegDecodeErrors(join(dir, 'a.ts')), '');
    }
  });
});

describe('Segmenter with timed ID3', () => {
  it('passes every ID3 packet through untouched and lists the 0x15 stream in each segment', async () => {
    const src = readFileSync(await makeTs('mp3', 9));
    const { ts, id3Packets } = injectId3(src, firstPesPid(src), 3);
    const { segs } = segmentAll(ts);
    const hex = (p: Uint8Array) => Buffer.from(p).toString('hex');
    const out = new Set(
      segs.flatMap((x) =>
        packets(x.bytes)
          .filter((p) => pidAt(p, 0) === ID3_PID)
          .map(hex),
      ),
    );
    assert.ok(id3Packets.length > 10);
    for (const p of id3Packets) assert.ok(out.has(hex(p)), 'ID3 packet kept byte for byte');
    const dir = tempDir();
    writeFileSync(join(dir, 'id3.ts'), segs[1].bytes);
    const probe = (await ffprobeJson(join(dir, 'id3.ts'), ['-show_streams'])) as {
      streams: { codec_name?: string }[];
    };
    assert.ok(probe.streams.some((s) => s.codec_name === 'timed_id3'));
  });
});
