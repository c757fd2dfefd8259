// test/unit/hls/segmenter-long-pes.test.ts: RFC 8216bis §4.4.3.1 when one PES holds more than a segment of frames (an odd muxer, or neighbours whose starts were lost): no EXTINF rounds above the target.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type AudioFraming, frameTicks, scanFrames } from '../../../src/ts/audio-frames.js';
import { pidAt } from '../../../src/ts/packet.js';
import { buildPes, packetizePes } from '../../../src/ts/pes.js';
import { elementaryStreams, segmentReads } from '../../helpers/es.js';
import { makeTs } from '../../helpers/media.js';
import { firstPesPid } from '../../helpers/ts-bytes.js';

/**
 * The same audio re-muxed with every frame from fromSec to toSec in one PES (legal, and what a
 * PES whose neighbours' starts were lost looks like): PAT and PMT from the input, 7 frames per
 * PES elsewhere, exact PTS.
 */
function oneLongPes(input: Buffer, framing: AudioFraming, fromSec: number, toSec: number): Buffer {
  const pid = firstPesPid(input);
  const es = elementaryStreams(input).get(pid) ?? Buffer.alloc(0);
  const scan = scanFrames(es, framing);
  assert.ok(scan, 'the fixture starts on a frame');
  const fd = frameTicks(scan);
  const psi: Buffer[] = [];
  for (let off = 0; off + 188 <= input.length && psi.length < 2; off += 188) {
    const p = pidAt(input, off);
    if (p === 0 || (p !== pid && p >= 0x20 && p !== 0x1fff && input[off + 5] === 0x02))
      psi.push(input.subarray(off, off + 188));
  }
  const out: Uint8Array[] = [...psi];
  let cc = 0;
  const n = scan.offsets.length;
  for (let i = 0; i < n;) {
    const sec = (i * fd) / 90000;
    let j = i + 7;
    if (sec >= fromSec && sec < toSec) while (j < n && (j * fd) / 90000 < toSec) j++;
    j = Math.min(j, n);
    const data = es.subarray(scan.offsets[i], j < n ? scan.offsets[j] : es.length);
    const pts = 126000 + Math.round(i * fd);
    const { packets, nextCc } = packetizePes(pid, buildPes(0xc0, pts, data), cc, null);
    out.push(packets);
    cc = nextCc;
    i = j;
  }
  return Buffer.concat(out);
}

describe('Segmenter with a PES longer than a segment', () => {
  for (const kind of ['mp3', 'mp3-lsf', 'aac'] as const) {
    it(`${kind}: 3 s of frames in one PES are split on the grid; no EXTINF rounds above the target, no frame lost`, async () => {
      const framing = kind === 'aac' ? 'adts' : 'mpeg-audio';
      const input = oneLongPes(readFileSync(await makeTs(kind, 8)), framing, 0.5, 3.6);
      for (const segmentDurationSec of [1, 1.9, 2]) {
        const run = segmentReads(input, [], { segmentDurationSec, targetDurationSec: 2 });
        assert.ok(run.segments.length >= 3, `${kind}: segments`);
        for (const d of run.durations)
          assert.ok(Math.round(d) <= 2, `${kind} at ${segmentDurationSec} s: EXTINF ${d}`);
        const total = run.durations.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total - 8) < 0.1, `${kind}: ${total} s in all`);
        const es = (b: Buffer) => elementaryStreams(b).get(firstPesPid(input));
        assert.ok(
          es(Buffer.concat(run.segments))?.equals(es(input) ?? Buffer.alloc(0)),
          'every frame kept',
        );
      }
    });
  }
});
