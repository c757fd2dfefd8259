// test/helpers/es.ts: what went in against what came out: elementary streams (PES payloads, headers stripped) per PID, and segmenter runs over any split of the input.
import { seededRandom } from '../../src/random.js';
import { Segmenter, type SegmenterOptions } from '../../src/hls/segmenter.js';
import { hasPayloadAt, PACKET_SIZE, payloadOffsetAt, pidAt, pusiAt } from '../../src/ts/packet.js';

/** PES payload bytes of each elementary PID (PSI, null and non-PES PIDs are left out), in order. */
export function elementaryStreams(ts: Uint8Array): Map<number, Buffer> {
  const parts = new Map<number, Buffer[]>();
  const skip = new Map<number, number>();
  for (let off = 0; off + PACKET_SIZE <= ts.length; off += PACKET_SIZE) {
    if (ts[off] !== 0x47 || !hasPayloadAt(ts, off)) continue;
    const pid = pidAt(ts, off);
    if (pid < 0x20 || pid === 0x1fff) continue;
    let p = off + payloadOffsetAt(ts, off);
    const end = off + PACKET_SIZE;
    if (pusiAt(ts, off)) {
      // A PES start: 00 00 01, stream id, length (2), flags (2), header length, then the header.
      if (p + 9 > end || ts[p] !== 0 || ts[p + 1] !== 0 || ts[p + 2] !== 1) continue;
      p += 9 + ts[p + 8];
      skip.set(pid, 0);
    } else if (!skip.has(pid)) continue;
    if (p >= end) continue;
    const list = parts.get(pid) ?? [];
    list.push(Buffer.from(ts.subarray(p, end)));
    parts.set(pid, list);
  }
  return new Map([...parts].map(([pid, l]) => [pid, Buffer.concat(l)]));
}

/** The elementary streams of segments laid end to end. */
export function segmentsEs(segments: Uint8Array[]): Map<number, Buffer> {
  return elementaryStreams(Buffer.concat(segments));
}

/** A segmenter run: the segments' bytes (copied) and EXTINF values. */
export interface SegmentRun {
  segments: Buffer[];
  durations: number[];
  discontinuities: number;
}

/** Segments input fed as the given reads (offsets into input), then ended. */
export function segmentReads(
  input: Uint8Array,
  cuts: Iterable<number>,
  opts: Partial<SegmenterOptions> = {},
): SegmentRun {
  const run: SegmentRun = { segments: [], durations: [], discontinuities: 0 };
  const s = new Segmenter(
    { segmentDurationSec: 2, targetDurationSec: 2, program: null, ...opts },
    (e) => {
      if (e.type !== 'segment') return;
      run.segments.push(Buffer.from(e.segment.bytes));
      run.durations.push(e.segment.durationSec);
      if (e.segment.discontinuity) run.discontinuities++;
    },
  );
  let at = 0;
  for (const c of cuts) {
    if (c <= at) continue;
    s.push(input.subarray(at, Math.min(c, input.length)), 0);
    at = Math.min(c, input.length);
    if (at >= input.length) break;
  }
  if (at < input.length) s.push(input.subarray(at), 0);
  s.end(0);
  return run;
}

/** Read boundaries every size bytes. */
export function* fixedReads(length: number, size: number): Generator<number> {
  for (let i = size; i < length; i += size) yield i;
}

/** Read boundaries of random sizes in [min, max], from a seeded generator. */
export function* randomReads(
  length: number,
  min: number,
  max: number,
  rnd: () => number,
): Generator<number> {
  for (let i = 0; i < length;) {
    i += min + Math.floor(rnd() * (max - min + 1));
    yield i;
  }
}

/** A small deterministic generator in [0, 1) (the project's one seeded source). */
export const seeded = seededRandom;
