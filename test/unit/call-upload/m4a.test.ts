// test/unit/call-upload/m4a.test.ts: adtsToM4a on AAC that ffmpeg really produced: ffprobe reads one AAC track of exactly the frames' length, ffmpeg decodes it cleanly, and the raw frames are in it unchanged.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { adtsToM4a } from '../../../src/call-upload/m4a.js';
import { segmentAudio } from '../../../src/calls/call-frames.js';
import { ffmpegDecodeErrors, ffprobeJson, makeTs } from '../../helpers/media.js';
import { tempDir } from '../../helpers/server.js';

describe('adtsToM4a', () => {
  it('makes an .m4a ffprobe and ffmpeg read, as long as its frames, bytes unchanged', async () => {
    const ts = readFileSync(await makeTs('aac', 3));
    const audio = segmentAudio(ts, 0);
    assert.ok(audio);
    assert.equal(audio.track.framing, 'adts');
    const frames = audio.frames.map((f) => f.data);
    const m4a = adtsToM4a(frames, audio.track.samples);
    const file = join(tempDir('m4a-'), 'call.m4a');
    writeFileSync(file, m4a);
    const j = (await ffprobeJson(file, [
      '-show_entries',
      'format=format_name,duration:stream=codec_name,sample_rate,channels,duration_ts',
    ])) as {
      format: { format_name: string; duration: string };
      streams: { codec_name: string; sample_rate: string; channels: number; duration_ts: number }[];
    };
    assert.match(j.format.format_name, /mp4|m4a/);
    assert.equal(j.streams.length, 1);
    assert.equal(j.streams[0]?.codec_name, 'aac');
    assert.equal(Number(j.streams[0]?.sample_rate), audio.track.sampleRate);
    assert.equal(j.streams[0]?.duration_ts, frames.length * audio.track.samples);
    assert.ok(
      Math.abs(
        Number(j.format.duration) - (frames.length * audio.track.samples) / audio.track.sampleRate,
      ) < 0.001,
    );
    assert.equal(await ffmpegDecodeErrors(file), '');
    // Each frame's raw data block (the ADTS header taken off) is in mdat, in order.
    const mdat = Buffer.from(m4a).indexOf('mdat') + 4;
    const raw = Buffer.concat(frames.map((f) => f.subarray(((f[1] ?? 0) & 1) === 0 ? 9 : 7)));
    assert.ok(Buffer.from(m4a).subarray(mdat).equals(raw));
  });

  it('refuses what is not ADTS', () => {
    assert.throws(() => adtsToM4a([new Uint8Array([0x49, 0x44, 0x33, 0, 0, 0, 0, 0])]), /not ADTS/);
    assert.throws(() => adtsToM4a([]), /not ADTS/);
  });
});
