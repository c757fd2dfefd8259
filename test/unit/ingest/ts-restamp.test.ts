// test/unit/ingest/ts-restamp.test.ts: looping a real ffmpeg TS: re-stamped passes continue PTS, PCR and CC with no jump.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import { Segmenter, type SegmenterEvent } from '../../../src/hls/segmenter.js';
import { passShift, restampPacket, restampPackets } from '../../../src/ingest/ts-restamp.js';
import { scanTimeline } from '../../../src/ingest/ts-timeline.js';
import { ccAt, hasPayloadAt, PACKET_SIZE, pidAt, pusiAt } from '../../../src/ts/packet.js';
import { buildPes, packetizePes } from '../../../src/ts/pes.js';
import { makeTs } from '../../helpers/media.js';

/** Three passes of the file, as FileIngest sends them. */
function threePasses(file: Uint8Array): { bytes: Uint8Array; loopTicks: number } {
  const t = scanTimeline(file);
  const parts = [0, 1, 2].map((n) =>
    n === 0 ? t.bytes : restampPackets(t.bytes, passShift(n, t.loopTicks, t.ccStep)),
  );
  return { bytes: Buffer.concat(parts), loopTicks: t.loopTicks };
}

function readPcr(b: Uint8Array, off: number): number | null {
  if (!(b[off + 3] & 0x20) || b[off + 4] < 7 || !(b[off + 5] & 0x10)) return null;
  const at = off + 6;
  return (
    b[at] * 2 ** 25 + (b[at + 1] << 17) + (b[at + 2] << 9) + (b[at + 3] << 1) + (b[at + 4] >> 7)
  );
}

describe('scanTimeline', () => {
  it('one pass of a 3 s MP3 file is a whole number of frames, a little over 3 s (encoder padding); marks ascend from 0', async () => {
    const t = scanTimeline(readFileSync(await makeTs('mp3-lsf', 3)));
    const frame = (576 * 90000) / 22050;
    const frames = t.loopTicks / frame;
    assert.ok(Math.abs(frames - Math.round(frames)) < 0.01, `loop ${t.loopTicks} ticks`);
    assert.ok(t.loopTicks >= 3 * 90000 && t.loopTicks < 3.2 * 90000, `loop ${t.loopTicks} ticks`);
    assert.deepEqual(t.marks[0], { offset: 0, ticks: 0 });
    for (let i = 1; i < t.marks.length; i++) {
      assert.ok(
        t.marks[i].ticks > t.marks[i - 1].ticks && t.marks[i].offset > t.marks[i - 1].offset,
      );
    }
  });

  it('refuses bytes that are not MPEG-TS', () => {
    assert.throws(() => scanTimeline(Buffer.alloc(2000, 0x11)), /no MPEG-TS packets/);
  });
});

describe('restamp (looping)', () => {
  for (const kind of ['mp3-lsf', 'aac'] as const) {
    it(`${kind}: three passes have continuous CCs and audio PES steps, rising PCR, and segment with no jump or discontinuity`, async () => {
      const { bytes, loopTicks } = threePasses(readFileSync(await makeTs(kind, 3)));
      const lastCc = new Map<number, number>();
      const steps: number[] = [];
      let prevPts = -1;
      let prevPcr = -1;
      for (let off = 0; off < bytes.length; off += PACKET_SIZE) {
        const pid = pidAt(bytes, off);
        if (hasPayloadAt(bytes, off)) {
          const before = lastCc.get(pid);
          if (before !== undefined)
            assert.equal(ccAt(bytes, off), (before + 1) & 15, `CC on PID ${pid} at ${off}`);
          lastCc.set(pid, ccAt(bytes, off));
        }
        const pcr = readPcr(bytes, off);
        if (pcr !== null) {
          assert.ok(pcr > prevPcr, `PCR rises at ${off}`);
          prevPcr = pcr;
        }
        if (pid === 0x100 && pusiAt(bytes, off)) {
          const pts = parsePesTime(bytes.subarray(off, off + PACKET_SIZE))?.pts ?? -1;
          if (prevPts >= 0) steps.push(pts - prevPts);
          prevPts = pts;
        }
      }
      // Every step is a whole number of frames (± rounding): none is short or long at the seams.
      // MPEG-2 (LSF) layer III frames hold 576 samples; AAC frames 1024.
      const frame = kind === 'aac' ? (1024 * 90000) / 48000 : (576 * 90000) / 22050;
      for (const s of steps) {
        const frames = Math.round(s / frame);
        assert.ok(
          frames >= 1 && Math.abs(s - frames * frame) <= 2,
          `step ${s} is ${s / frame} frames`,
        );
      }
      const events: SegmenterEvent[] = [];
      const seg = new Segmenter(
        { segmentDurationSec: 1, targetDurationSec: 1, program: null },
        (e) => events.push(e),
      );
      seg.push(bytes, 0);
      seg.end(0);
      const warnings = events.filter((e) => e.type === 'warning');
      assert.deepEqual(warnings, []);
      const segments = events.flatMap((e) => (e.type === 'segment' ? [e.segment] : []));
      assert.ok(segments.every((s) => !s.discontinuity));
      const total = segments.reduce((a, s) => a + s.durationSec, 0);
      assert.ok(Math.abs(total - (3 * loopTicks) / 90000) < 0.05, `total ${total} s`);
    });
  }

  it('wraps PTS and PCR modulo 2^33 and keeps the marker bits', () => {
    const pes = buildPes(0xc0, 2 ** 33 - 100, new Uint8Array(20));
    const { packets } = packetizePes(
      0x100,
      pes,
      5,
      Uint8Array.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7e, 0x00]),
    );
    const shift = { ticks: 250, cc: new Uint8Array(8192) };
    shift.cc[0x100] = 3;
    restampPacket(packets, 0, shift);
    assert.equal(parsePesTime(packets.subarray(0, PACKET_SIZE))?.pts, 150);
    assert.equal(ccAt(packets, 0), 8);
    assert.equal(readPcr(packets, 0), 2 ** 33 - 2 + 250 - 2 ** 33);
  });
});
