// test/unit/timeline/segmenter-id3.test.ts: the segmenter with timed metadata on a real ffmpeg stream: ffprobe lists timed_id3, each tag lands at the PTS its wall time maps to, every part starts with PAT, PMT and the current tag, segments stay their parts end to end; off, tags change nothing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import { type CutPart, type CutSegment, Segmenter } from '../../../src/hls/segmenter.js';
import { parseId3Tag } from '../../../src/id3/id3v2.js';
import { PACKET_SIZE, pidAt, pusiAt } from '../../../src/ts/packet.js';
import { scannerTag, type TimelineState } from '../../../src/timeline/scanner-tags.js';
import { ffprobeJson, makeTs } from '../../helpers/media.js';
import { tempDir } from '../../helpers/server.js';

const LL_MUX = ['-pes_payload_size', '0', '-muxdelay', '0', '-muxpreload', '0'];
const T0 = Date.parse('2026-11-24T03:00:00.000Z');
const ID3_PID = 0x1f00;

function state(over: Partial<TimelineState>): TimelineState {
  return {
    frequencyMHz: 154.415,
    channel: 12,
    bank: 2,
    talkgroup: null,
    label: 'Fire',
    squelchOpen: false,
    call: null,
    ...over,
  };
}

/**
 * Feeds input in 50 ms slices of wall time (by byte share). The tags are given up front, as an
 * ingest running a little behind the scanner would: each waits for the audio of its time.
 */
function run(
  input: Buffer,
  seconds: number,
  timed: boolean,
  tags: { wallMs: number; tag: Uint8Array }[],
): { segments: CutSegment[]; parts: CutPart[] } {
  const segments: CutSegment[] = [];
  const parts: CutPart[] = [];
  const seg = new Segmenter(
    {
      segmentDurationSec: 1,
      targetDurationSec: 1,
      program: null,
      partDurationSec: 0.2,
      timedMetadata: timed,
    },
    (e) => {
      if (e.type === 'segment') segments.push({ ...e.segment, bytes: e.segment.bytes.slice() });
      if (e.type === 'part') parts.push({ ...e.part, bytes: e.part.bytes.slice() });
    },
  );
  const per = Math.ceil((input.length * 50) / (seconds * 1000));
  let now = T0;
  for (const t of tags) seg.addTimedMetadata(t.tag, t.wallMs);
  for (let at = 0; at < input.length; at += per) {
    seg.push(input.subarray(at, at + per), now);
    now += 50;
  }
  seg.end(now);
  return { segments, parts };
}

/** The ID3 PES starts in bytes: PTS and the tag. */
function id3Pes(bytes: Uint8Array): { pts: number; frames: ReturnType<typeof parseId3Tag> }[] {
  const out: { pts: number; frames: ReturnType<typeof parseId3Tag> }[] = [];
  for (let off = 0; off + PACKET_SIZE <= bytes.length; off += PACKET_SIZE) {
    if (pidAt(bytes, off) !== ID3_PID || !pusiAt(bytes, off)) continue;
    const pkt = bytes.subarray(off, off + PACKET_SIZE);
    const t = parsePesTime(pkt);
    const afc = (pkt[3] >> 4) & 3;
    const at = afc === 3 ? 5 + pkt[4] : 4;
    const pesLen = (pkt[at + 4] << 8) | pkt[at + 5];
    const dataAt = at + 9 + pkt[at + 8];
    // Our tags fit in two packets; join them.
    const joined = Buffer.concat([
      pkt.subarray(dataAt),
      bytes.subarray(off + PACKET_SIZE + 4, off + 2 * PACKET_SIZE),
    ]);
    const tag = joined.subarray(0, pesLen - 3 - pkt[at + 8]);
    out.push({ pts: t?.pts ?? -1, frames: parseId3Tag(tag) });
  }
  return out;
}

const field = (f: ReturnType<typeof parseId3Tag>, name: string): string | undefined =>
  f.frames.find(
    (x): x is { id: 'TXXX'; description: string; value: string } =>
      'description' in x && x.description === name,
  )?.value;

describe('Segmenter with timed metadata', () => {
  it('puts each tag at the PTS of its wall time, repeats the state at every part, and ffprobe lists timed_id3', async () => {
    const seconds = 8;
    const input = readFileSync(await makeTs('mp3-lsf', seconds, LL_MUX));
    const open = scannerTag(state({ squelchOpen: true, call: '1' }));
    const closed = scannerTag(state({}));
    const tags = [
      { wallMs: T0 + 1730, tag: open },
      { wallMs: T0 + 4010, tag: closed },
      { wallMs: T0 + 5555, tag: scannerTag(state({ squelchOpen: true, call: '2' })) },
    ];
    const { segments, parts } = run(input, seconds, true, tags);
    assert.ok(segments.length >= 6);
    // A segment is its parts end to end, as without metadata.
    assert.ok(
      Buffer.concat(segments.map((s) => s.bytes)).equals(Buffer.concat(parts.map((p) => p.bytes))),
    );
    // Every part after the first tag starts PAT, PMT, then the current tag at the part's start.
    for (const p of parts) {
      assert.equal(pidAt(p.bytes, 0), 0);
      assert.equal(pidAt(p.bytes, PACKET_SIZE), 0x1000);
      const pdt = p.segmentProgramDateTimeMs;
      const seg = segments.find((s) => s.programDateTimeMs === pdt);
      assert.ok(seg);
      const wallAtStart = pdt + (p.startTicks - seg.startTicks) / 90;
      const first = id3Pes(p.bytes)[0];
      if (wallAtStart <= tags[0].wallMs) continue;
      assert.equal(pidAt(p.bytes, 2 * PACKET_SIZE), ID3_PID, `part ${p.index} of ${pdt}`);
      assert.equal(first.pts, p.startTicks % 2 ** 33);
      const current = [...tags].reverse().find((t) => t.wallMs <= wallAtStart);
      assert.equal(
        field(first.frames, 'call'),
        current === tags[1] ? '' : current === tags[0] ? '1' : '2',
      );
    }
    // Each tag once at exactly the PTS its wall time maps to (the PDT mapping), not only at part starts.
    const all = segments.flatMap((s) =>
      id3Pes(s.bytes).map((x) => ({
        ...x,
        wallMs: s.programDateTimeMs + (x.pts - s.startTicks) / 90,
      })),
    );
    for (const t of tags) {
      const hit = all.find((x) => Math.abs(x.wallMs - t.wallMs) < 0.02);
      assert.ok(hit, `no tag at ${t.wallMs - T0} ms`);
    }
    // ffprobe: the segment's streams are the MP3 and a timed_id3 data stream on our PID.
    const file = join(tempDir(), 'seg.ts');
    writeFileSync(file, segments[3].bytes);
    const probe = (await ffprobeJson(file, ['-show_streams'])) as {
      streams: { codec_name: string; codec_type: string; id: string }[];
    };
    assert.deepEqual(
      probe.streams.map((s) => [s.codec_type, s.codec_name, s.id]),
      [
        ['audio', 'mp3', '0x100'],
        ['data', 'timed_id3', '0x1f00'],
      ],
    );
  });

  it('without timed metadata, tags change no byte', async () => {
    const input = readFileSync(await makeTs('mp3-lsf', 4, LL_MUX));
    const tags = [{ wallMs: T0 + 900, tag: scannerTag(state({ squelchOpen: true, call: 'c' })) }];
    const a = run(input, 4, false, tags);
    const b = run(input, 4, false, []);
    assert.ok(
      Buffer.concat(a.parts.map((p) => p.bytes)).equals(Buffer.concat(b.parts.map((p) => p.bytes))),
    );
    assert.ok(!Buffer.concat(a.segments.map((s) => s.bytes)).includes(Buffer.from('TXXX')));
  });
});
