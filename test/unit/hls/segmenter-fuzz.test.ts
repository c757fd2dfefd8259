// test/unit/hls/segmenter-fuzz.test.ts: damaged input never throws (a throw would crash the ingest), and what comes out is still well-formed TS.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Segmenter } from '../../../src/hls/segmenter.js';
import { makeTs, type MediaKind } from '../../helpers/media.js';

/** A small deterministic generator (same damage on every run). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

describe('Segmenter on randomly damaged streams', () => {
  it('never throws, and every segment is whole packets starting with PAT and PMT', async () => {
    const kinds: MediaKind[] = ['mp3', 'aac', 'h264', 'mp3-two-programs'];
    const sources = await Promise.all(kinds.map(async (k) => readFileSync(await makeTs(k, 5))));
    const rnd = lcg(20261124);
    let segments = 0;
    for (let iter = 0; iter < 400; iter++) {
      const buf = Buffer.from(sources[iter % sources.length]);
      // Random bytes, stray sync bytes and runs of noise, anywhere.
      for (let i = 0, n = 1 + Math.floor(rnd() * 150); i < n; i++) {
        const at = Math.floor(rnd() * buf.length);
        const mode = rnd();
        if (mode < 0.6) buf[at] = Math.floor(rnd() * 256);
        else if (mode < 0.8) buf[at] = 0x47;
        else
          buf.fill(Math.floor(rnd() * 256), at, Math.min(buf.length, at + Math.floor(rnd() * 400)));
      }
      const s = new Segmenter(
        { segmentDurationSec: 1 + Math.floor(rnd() * 2), targetDurationSec: 2, program: null },
        (e) => {
          if (e.type !== 'segment') return;
          segments++;
          const b = e.segment.bytes;
          assert.equal(b.length % 188, 0, `iteration ${iter}: whole packets`);
          assert.equal(b[0], 0x47);
          assert.equal(((b[1] & 0x1f) << 8) | b[2], 0, `iteration ${iter}: PAT first`);
          assert.ok(e.segment.durationSec > 0 && Number.isFinite(e.segment.durationSec));
        },
      );
      const chunk = 1 + Math.floor(rnd() * 4000);
      for (let i = 0; i < buf.length; i += chunk) s.push(buf.subarray(i, i + chunk), 0);
      s.end(0);
    }
    assert.ok(segments > 400, `damaged streams still produce segments (${segments})`);
  });
});
