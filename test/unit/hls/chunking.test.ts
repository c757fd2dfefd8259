// test/unit/hls/chunking.test.ts: property: the segments are byte-identical however the input is split into reads, and carry the input's elementary streams byte for byte.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import {
  elementaryStreams,
  fixedReads,
  randomReads,
  type SegmentRun,
  segmentReads,
  segmentsEs,
  seeded,
} from '../../helpers/es.js';
import { makeTs, type MediaKind } from '../../helpers/media.js';

const KINDS: MediaKind[] = ['mp3', 'mp3-lsf', 'aac', 'h264', 'mp3-gst', 'mp3-two-programs'];

/** A copy of input with packets damaged, dropped and duplicated (same damage on every run). */
function damage(input: Uint8Array, seed: number): Buffer {
  const rnd = seeded(seed);
  const out: Buffer[] = [];
  for (let off = 0; off < input.length; off += 188) {
    const p = Buffer.from(input.subarray(off, off + 188));
    const r = rnd();
    if (r < 0.01) continue; // lost
    if (r < 0.02) p[Math.floor(rnd() * 188)] ^= 1 << Math.floor(rnd() * 8);
    out.push(p);
    if (r > 0.99) out.push(p); // duplicated
    if (r > 0.985 && r <= 0.99)
      out.push(Buffer.from('garbage between packets \x47 with a sync byte'));
  }
  return Buffer.concat(out);
}

function assertSame(got: SegmentRun, want: SegmentRun, what: string): void {
  assert.equal(got.segments.length, want.segments.length, `${what}: segment count`);
  for (let i = 0; i < want.segments.length; i++)
    assert.ok(got.segments[i].equals(want.segments[i]), `${what}: segment ${i} differs`);
  assert.deepEqual(got.durations, want.durations, `${what}: EXTINF`);
}

describe('Segmenter chunking invariance', () => {
  const inputs = new Map<string, Buffer>();
  before(async () => {
    for (const k of KINDS) inputs.set(k, readFileSync(await makeTs(k, 6)));
    inputs.set('mp3-damaged', damage(inputs.get('mp3') ?? Buffer.alloc(0), 7));
    inputs.set('aac-damaged', damage(inputs.get('aac') ?? Buffer.alloc(0), 11));
    inputs.set('h264-damaged', damage(inputs.get('h264') ?? Buffer.alloc(0), 13));
  });

  it('every undamaged fixture keeps its elementary streams byte for byte (one buffer)', () => {
    for (const k of KINDS) {
      const input = inputs.get(k) ?? Buffer.alloc(0);
      const run = segmentReads(input, []);
      assert.ok(run.segments.length >= 3, `${k}: segments`);
      const want = elementaryStreams(input);
      const got = segmentsEs(run.segments);
      assert.ok(got.size >= 1, `${k}: some elementary stream`);
      for (const [pid, es] of got) {
        const ref = want.get(pid);
        assert.ok(ref, `${k}: PID ${pid} is in the input`);
        assert.ok(es.equals(ref), `${k}: PID ${pid}: ${es.length} bytes out, ${ref.length} in`);
      }
      // Every elementary stream of the published program made it (the second program is dropped).
      if (k !== 'mp3-two-programs') assert.equal(got.size, want.size, `${k}: stream count`);
    }
  });

  it('single-byte reads give the same segments as one buffer', () => {
    for (const [k, input] of inputs) {
      const want = segmentReads(input, []);
      const cuts = fixedReads(input.length, 1);
      assertSame(segmentReads(input, cuts), want, `${k}, 1-byte reads`);
    }
  });

  it('every read size from 2 to 1024 bytes, then a spread up to 64 KiB, gives the same segments', () => {
    const sizes: number[] = [];
    for (let s = 2; s <= 1024; s++) sizes.push(s);
    for (let s = 1031; s <= 65536; s += 997) sizes.push(s);
    sizes.push(65536);
    for (const k of ['mp3', 'aac', 'mp3-gst', 'h264-damaged']) {
      const input = inputs.get(k) ?? Buffer.alloc(0);
      const want = segmentReads(input, []);
      for (const size of sizes)
        assertSame(segmentReads(input, fixedReads(input.length, size)), want, `${k}, ${size}`);
    }
  });

  it('random read sizes (1–700 and 1–64 KiB, 40 seeds each) give the same segments on every fixture', () => {
    for (const [k, input] of inputs) {
      const want = segmentReads(input, []);
      for (let seed = 1; seed <= 40; seed++) {
        const small = randomReads(input.length, 1, 700, seeded(seed));
        assertSame(segmentReads(input, small), want, `${k}, 1–700 seed ${seed}`);
        const big = randomReads(input.length, 1, 65536, seeded(seed + 1000));
        assertSame(segmentReads(input, big), want, `${k}, 1–64K seed ${seed}`);
      }
    }
  });
});
