// test/unit/live-audio/pacer.test.ts: a listener's schedule over many random arrival patterns: never more than the lead ahead of real time, frames out in order and whole, silence only in gaps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AudioFormat, silentFrame } from '../../../src/hls/silence.js';
import type { AudioChunk } from '../../../src/live-audio/audio-feed-types.js';
import { GAP_SEC, LEAD_SEC, ListenerPacer } from '../../../src/live-audio/pacer.js';
import { seededRandom } from '../../../src/random.js';

/** MPEG-1 Layer III, 44.1 kHz, joint stereo: 1152 samples (26.1 ms) a frame. */
const MP3: AudioFormat = {
  codec: 'mp3',
  sampleRate: 44100,
  channels: 2,
  samplesPerFrame: 1152,
  versionId: 3,
  samplingFrequencyIndex: 0,
  channelMode: 1,
  profile: 0,
};
const FRAME_SEC = 1152 / 44100;
const SILENT = silentFrame(MP3);
/** Ancillary bytes after the side info can hold anything: a frame number makes frames tell apart. */
const MARK_AT = 40;

function frame(n: number): Uint8Array {
  const f = SILENT.slice();
  new DataView(f.buffer, f.byteOffset).setUint32(MARK_AT, n + 1);
  return f;
}

function chunk(first: number, count: number, discontinuity = false): AudioChunk {
  const frames = Buffer.concat(Array.from({ length: count }, (_, k) => frame(first + k)));
  return {
    codec: 'mp3',
    sampleRate: 44100,
    channels: 2,
    frames,
    durationSec: count * FRAME_SEC,
    discontinuity,
  };
}

/** The frames of released bytes: frame numbers (0 for silence). */
function frameNumbers(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + SILENT.length <= bytes.length; at += SILENT.length) {
    out.push(new DataView(bytes.buffer, bytes.byteOffset + at).getUint32(MARK_AT) - 1);
  }
  assert.equal(bytes.length % SILENT.length, 0, 'whole frames only');
  return out;
}

describe('ListenerPacer', () => {
  it('starts with the newest frames lasting at most the lead', () => {
    const p = new ListenerPacer({ startMs: 0, silence: () => SILENT });
    p.startWith([chunk(0, 100), chunk(100, 8), chunk(108, 8)]);
    const out = p.take(0);
    const nums = out.flatMap((r) => frameNumbers(r.bytes));
    const expect = Math.floor(LEAD_SEC / FRAME_SEC);
    assert.equal(nums.length, expect);
    assert.deepEqual(
      nums,
      Array.from({ length: expect }, (_, k) => 116 - expect + k),
    );
  });

  it('for random arrivals, stays within the lead, keeps order and fills only real gaps', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = seededRandom(seed);
      const p = new ListenerPacer({ startMs: 1000, silence: () => SILENT });
      let next = 0;
      p.startWith([chunk(next, 20)]);
      next += 20;
      let sentSec = 0;
      let lastReal = -1;
      let realOut = 0;
      let inputSec = 20 * FRAME_SEC;
      let lastArrival = 1000;
      for (let t = 1000; t <= 1000 + 30_000; t += 10 + Math.floor(r() * 90)) {
        // The encoder: parts of 4-12 frames, now and then a gap of up to 3 s or a burst.
        const mode = r();
        if (mode < 0.3 && t - lastArrival > 100) {
          const n = 4 + Math.floor(r() * 8);
          const burst = r() < 0.05 ? 10 : 1;
          for (let b = 0; b < burst; b++) {
            p.offer(chunk(next, n, r() < 0.05));
            next += n;
            inputSec += n * FRAME_SEC;
          }
          lastArrival = t;
        }
        if (mode > 0.995) t += Math.floor(r() * 3000);
        for (const rel of p.take(t)) {
          const nums = frameNumbers(rel.bytes);
          sentSec += nums.length * FRAME_SEC;
          if (rel.silent) {
            assert.ok(
              nums.every((n) => n === -1),
              'silence is silent frames',
            );
            assert.equal(p.waitingSec, 0, 'no silence while frames wait');
          } else {
            for (const n of nums) {
              assert.ok(n > lastReal, `frame ${n} after ${lastReal} (seed ${seed})`);
              lastReal = n;
            }
            realOut += nums.length;
          }
        }
        const elapsed = (t - 1000) / 1000;
        assert.ok(sentSec <= elapsed + LEAD_SEC + 1e-6, `ahead by ${sentSec - elapsed} s`);
        assert.ok(
          sentSec >= elapsed - GAP_SEC - 1e-6 || p.waitingSec > 0,
          `behind by ${elapsed - sentSec} s with nothing waiting (seed ${seed})`,
        );
      }
      // Every frame the input gave is sent, dropped for running ahead, or still waiting.
      const accounted = realOut * FRAME_SEC + p.droppedSec + p.waitingSec;
      assert.ok(Math.abs(accounted - inputSec) < 1e-6, `${accounted} vs ${inputSec}`);
    }
  });

  it('sends no silence while the input keeps real time', () => {
    const p = new ListenerPacer({ startMs: 0, silence: () => SILENT });
    let next = 0;
    let silent = 0;
    for (let t = 0; t < 20_000; t += 50) {
      // A 0.2 s part (8 frames ≈ 0.209 s) every 209 ms.
      if (t % 209 < 50) {
        p.offer(chunk(next, 8));
        next += 8;
      }
      for (const rel of p.take(t)) if (rel.silent) silent += rel.bytes.length;
    }
    assert.equal(silent, 0);
  });
});
