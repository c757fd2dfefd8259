// test/unit/hls/segmenter-parts.test.ts: Low-Latency parts on ffmpeg- and GStreamer-made streams: bounds, PAT+PMT per part, whole frames per PES, same bytes as the segment, any split of the reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Segmenter } from '../../../src/hls/segmenter.js';
import { scanFrames } from '../../../src/ts/audio-frames.js';
import { PACKET_SIZE, payloadOffsetAt, pidAt, pusiAt } from '../../../src/ts/packet.js';
import { elementaryStreams, randomReads, seeded } from '../../helpers/es.js';
import { makeTs, type MediaKind } from '../../helpers/media.js';
import { ccBreaks, firstPesPid } from '../../helpers/ts-bytes.js';

interface Part {
  bytes: Buffer;
  durationSec: number;
  index: number;
  independent: boolean;
  partTargetSec: number;
}
interface Run {
  segments: { bytes: Buffer; durationSec: number; parts: Part[] }[];
  warnings: string[];
}

function run(input: Uint8Array, cuts: Iterable<number>, partDurationSec = 0.2): Run {
  const out: Run = { segments: [], warnings: [] };
  let parts: Part[] = [];
  const s = new Segmenter(
    { segmentDurationSec: 1, targetDurationSec: 1, program: null, partDurationSec },
    (e) => {
      if (e.type === 'part') parts.push({ ...e.part, bytes: Buffer.from(e.part.bytes) });
      else if (e.type === 'segment') {
        const { bytes, durationSec } = e.segment;
        out.segments.push({ bytes: Buffer.from(bytes), durationSec, parts });
        parts = [];
      } else if (e.type === 'warning') out.warnings.push(e.code);
    },
  );
  let at = 0;
  for (const c of cuts) {
    if (c <= at) continue;
    const end = Math.min(c, input.length);
    s.push(input.subarray(at, end), 0);
    at = end;
    if (at >= input.length) break;
  }
  if (at < input.length) s.push(input.subarray(at), 0);
  s.end(0);
  return out;
}

/** Each PES payload on pid, in order. */
function pesPayloads(ts: Uint8Array, pid: number): Buffer[] {
  const out: Buffer[][] = [];
  for (let off = 0; off + PACKET_SIZE <= ts.length; off += PACKET_SIZE) {
    if (pidAt(ts, off) !== pid) continue;
    const p = off + payloadOffsetAt(ts, off);
    if (pusiAt(ts, off)) out.push([]);
    out.at(-1)?.push(Buffer.from(ts.subarray(p, off + PACKET_SIZE)));
  }
  return out.map((l) => {
    const pes = Buffer.concat(l);
    return pes.subarray(9 + pes[8]);
  });
}

const KINDS: { kind: MediaKind; audio: 'mpeg-audio' | 'adts' | null }[] = [
  { kind: 'mp3', audio: 'mpeg-audio' },
  { kind: 'mp3-lsf', audio: 'mpeg-audio' },
  { kind: 'aac', audio: 'adts' },
  { kind: 'mp3-gst', audio: 'mpeg-audio' },
  { kind: 'h264', audio: null },
];

describe('segmenter parts (LL-HLS)', () => {
  for (const { kind, audio } of KINDS) {
    describe(kind, () => {
      let input: Buffer;
      let base: Run;
      it('cuts parts within PART-TARGET, ≥ 85 % of it but the last, whose bytes make the segment', async () => {
        input = readFileSync(await makeTs(kind, 12));
        base = run(input, []);
        assert.ok(base.segments.length >= 10, `${base.segments.length} segments`);
        const pt = base.segments[0].parts[0].partTargetSec;
        if (audio) assert.ok(pt > 0.17 && pt < 0.23, `PART-TARGET ${pt}`);
        for (const [i, seg] of base.segments.entries()) {
          if (i < base.segments.length - 1)
            assert.ok(seg.parts.length >= 2, `segment ${i}: ${seg.parts.length} parts`);
          assert.deepEqual(Buffer.concat(seg.parts.map((p) => p.bytes)), seg.bytes, `segment ${i}`);
          const sum = seg.parts.reduce((t, p) => t + p.durationSec, 0);
          assert.ok(
            Math.abs(sum - seg.durationSec) < 1e-6,
            `segment ${i}: ${sum} vs ${seg.durationSec}`,
          );
          for (const [j, p] of seg.parts.entries()) {
            assert.equal(p.index, j);
            assert.equal(p.partTargetSec, pt, 'PART-TARGET is constant');
            // RFC 8216bis §4.4.4.9: at most the Part Target Duration, and at least 85 % of it
            // except for the final part of a segment.
            assert.ok(p.durationSec <= pt + 1e-9, `part ${i}.${j}: ${p.durationSec} > ${pt}`);
            if (j < seg.parts.length - 1)
              assert.ok(p.durationSec >= 0.85 * pt, `part ${i}.${j}: ${p.durationSec} < 85 %`);
            if (audio) assert.equal(p.independent, true);
            // PAT then PMT open every part (a player joining mid-segment needs them).
            assert.equal(pidAt(p.bytes, 0), 0, `part ${i}.${j} starts with the PAT`);
            assert.notEqual(pidAt(p.bytes, PACKET_SIZE), 0);
          }
        }
      });

      it('keeps every elementary stream byte for byte, in the segments and in the parts', () => {
        const inEs = elementaryStreams(input);
        const segEs = elementaryStreams(Buffer.concat(base.segments.map((s) => s.bytes)));
        const partEs = elementaryStreams(
          Buffer.concat(base.segments.flatMap((s) => s.parts.map((p) => p.bytes))),
        );
        for (const [pid, es] of inEs) {
          assert.deepEqual(segEs.get(pid), es, `PID ${pid} in segments`);
          assert.deepEqual(partEs.get(pid), es, `PID ${pid} in parts`);
        }
        const all = Buffer.concat(base.segments.map((s) => s.bytes));
        for (const pid of inEs.keys()) assert.equal(ccBreaks(all, pid), 0, `CC on PID ${pid}`);
      });

      if (audio)
        it('puts whole frames in every audio PES, and no PES across a part boundary', () => {
          const pid = firstPesPid(input);
          for (const seg of base.segments)
            for (const p of seg.parts)
              for (const es of pesPayloads(p.bytes, pid)) {
                const scan = scanFrames(es, audio);
                assert.ok(scan, 'a PES starts on a frame header');
                assert.ok(scan.offsets.length >= 1);
              }
        });

      it('gives byte-identical parts and segments for 25 random splits of the reads (1–700 bytes)', () => {
        const rnd = seeded(kind.length * 977);
        const flat = base.segments.flatMap((s) => s.parts.map((p) => p.bytes));
        for (let t = 0; t < 25; t++) {
          const r = run(input, randomReads(input.length, 1, 700, rnd));
          assert.equal(r.segments.length, base.segments.length, `split ${t}`);
          const f = r.segments.flatMap((s) => s.parts.map((p) => p.bytes));
          assert.equal(f.length, flat.length, `split ${t}: part count`);
          f.forEach((b, i) => assert.ok(b.equals(flat[i]), `split ${t}: part ${i} differs`));
        }
      });
    });
  }

  it('rounds PART-TARGET to whole frames near the asked duration (MP3 44.1 kHz: 8 × 26.12 ms)', async () => {
    const input = readFileSync(await makeTs('mp3', 12));
    assert.equal(run(input, [], 0.2).segments[0].parts[0].partTargetSec, 0.209);
    assert.equal(run(input, [], 0.33).segments[0].parts[0].partTargetSec, 0.34);
  });

  it('emits no part when parts are off, and the same segments as with parts on', async () => {
    const input = readFileSync(await makeTs('mp3', 12));
    const off = new Segmenter({ segmentDurationSec: 1, targetDurationSec: 1, program: null }, (e) =>
      assert.notEqual(e.type, 'part'),
    );
    off.push(input, 0);
    off.end(0);
    assert.equal(off.partTargetSec, null);
  });
});
