// test/unit/relay/mp3-frames.test.ts: splitting a run of real libmp3lame frames (with junk and cut tails, seeded) gives back exactly the frames; format and bitrate from a header.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { silentFrame } from '../../../src/hls/silence.js';
import { mp3FrameFormat, splitMp3Frames } from '../../../src/relay/mp3-frames.js';
import { seededRandom } from '../../../src/random.js';
import { parseMpegAudioHeader } from '../../../src/ts/audio-frames.js';
import { makeAudioFile } from '../../helpers/icecast.js';

/** The frames of an MP3 file, read header by header. */
function framesOf(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length;) {
    const info = parseMpegAudioHeader(b, i);
    assert.ok(info, `frame at ${i}`);
    out.push(b.subarray(i, i + info.frameBytes));
    i += info.frameBytes;
  }
  return out;
}

describe('MP3 frames', () => {
  const files: Record<string, Uint8Array[]> = {};
  before(async () => {
    files.lsf = framesOf(readFileSync(await makeAudioFile('mp3', { seconds: 3 })));
    files.mpeg1 = framesOf(
      readFileSync(
        await makeAudioFile('mp3', { seconds: 3, sampleRate: 44100, channels: 2, bitrate: '128k' }),
      ),
    );
  });

  it('format and bitrate: 22.05 kHz mono 16 kbit/s and 44.1 kHz stereo 128 kbit/s', () => {
    const lsf = mp3FrameFormat(files.lsf[5]);
    assert.deepEqual(
      {
        rate: lsf?.format.sampleRate,
        ch: lsf?.format.channels,
        spf: lsf?.format.samplesPerFrame,
        kbps: lsf?.bitrateKbps,
      },
      { rate: 22050, ch: 1, spf: 576, kbps: 16 },
    );
    const v1 = mp3FrameFormat(files.mpeg1[5]);
    assert.deepEqual(
      {
        rate: v1?.format.sampleRate,
        ch: v1?.format.channels,
        spf: v1?.format.samplesPerFrame,
        kbps: v1?.bitrateKbps,
      },
      { rate: 44100, ch: 2, spf: 1152, kbps: 128 },
    );
    // The silence the relay sends in gaps is a frame of the same format.
    for (const f of [lsf, v1]) {
      assert.ok(f);
      const silent = mp3FrameFormat(silentFrame(f.format));
      assert.equal(silent?.format.sampleRate, f.format.sampleRate);
      assert.equal(silent?.format.channelMode, f.format.channelMode);
    }
    assert.equal(mp3FrameFormat(Uint8Array.from([0x49, 0x44, 0x33, 4])), null);
  });

  it('splits runs back into the same frames, past junk, keeping a cut tail (seeded, 300 runs)', () => {
    const rnd = seededRandom(1313);
    for (let n = 0; n < 300; n++) {
      const frames = n % 2 ? files.lsf : files.mpeg1;
      const start = Math.floor(rnd() * (frames.length - 40));
      const count = 1 + Math.floor(rnd() * 30);
      const chosen = frames.slice(start, start + count);
      const junk =
        n % 3 === 0
          ? Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 0xfe))
          : new Uint8Array(0);
      const tailFrame = frames[start + count];
      const cut = tailFrame.subarray(0, Math.floor(rnd() * tailFrame.length));
      const run = Buffer.concat([junk, ...chosen, cut]);
      const { frames: got, rest } = splitMp3Frames(run);
      assert.equal(got.length, chosen.length, `run ${n}`);
      for (let k = 0; k < got.length; k++)
        assert.deepEqual(Buffer.from(got[k].bytes), Buffer.from(chosen[k]));
      const ms = (chosen.length * (n % 2 ? 576 : 1152) * 1000) / (n % 2 ? 22050 : 44100);
      assert.ok(Math.abs(got.reduce((a, f) => a + f.durationMs, 0) - ms) < 1e-6);
      // The cut tail stays for the next run (when it already holds a header).
      if (cut.length >= 4) assert.deepEqual(Buffer.from(rest), Buffer.from(cut));
    }
  });
});
