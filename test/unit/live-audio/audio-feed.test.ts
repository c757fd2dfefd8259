// test/unit/live-audio/audio-feed.test.ts: createAudioFeed over 'media' cuts (TS built by silence.ts's writer): whole frames, durations, recent(), a throwing subscriber, close.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { type AudioFormat, buildSilentSegment, silentFrame } from '../../../src/hls/silence.js';
import { createAudioFeed } from '../../../src/live-audio/audio-feed.js';
import type { AudioChunk } from '../../../src/live-audio/audio-feed-types.js';
import type { CutLike } from '../../../src/live-audio/cut-audio.js';

const MP3: AudioFormat = {
  codec: 'mp3',
  sampleRate: 22050,
  channels: 1,
  samplesPerFrame: 576,
  versionId: 2,
  samplingFrequencyIndex: 0,
  channelMode: 3,
  profile: 0,
};
const AAC: AudioFormat = {
  codec: 'aac',
  sampleRate: 48000,
  channels: 2,
  samplesPerFrame: 1024,
  versionId: 0,
  samplingFrequencyIndex: 3,
  channelMode: 2,
  profile: 1,
};

function cut(format: AudioFormat, durationSec: number, discontinuity = false): CutLike {
  const seg = buildSilentSegment({
    program: 1,
    pmtPid: 0x1000,
    audioPid: 0x100,
    streamType: format.codec === 'mp3' ? 0x04 : 0x0f,
    format,
    startPts: 90000,
    durationSec,
    framesPerPes: 3,
  });
  return { bytes: seg.bytes, discontinuity };
}

class Source extends EventEmitter<{ media: [CutLike] }> {}

describe('createAudioFeed', () => {
  for (const format of [MP3, AAC]) {
    it(`gives each ${format.codec} cut as its whole frames, timed, in order`, () => {
      const src = new Source();
      const feed = createAudioFeed(src);
      assert.equal(feed.format(), null);
      const got: AudioChunk[] = [];
      feed.subscribe((c) => got.push(c));
      src.emit('media', cut(format, 0.2));
      src.emit('media', cut(format, 0.5, true));
      const frame = silentFrame(format);
      const frameSec = format.samplesPerFrame / format.sampleRate;
      assert.equal(got.length, 2);
      for (const [i, c] of got.entries()) {
        assert.equal(c.codec, format.codec);
        assert.equal(c.sampleRate, format.sampleRate);
        assert.equal(c.channels, format.channels);
        const frames = Math.round(c.durationSec / frameSec);
        assert.ok(Math.abs(c.durationSec - frames * frameSec) < 1e-9);
        assert.deepEqual(c.frames, Buffer.concat(Array.from({ length: frames }, () => frame)));
        assert.equal(c.discontinuity, i === 1);
      }
      assert.deepEqual(feed.format(), {
        codec: format.codec,
        sampleRate: format.sampleRate,
        channels: format.channels,
      });
    });
  }

  it('keeps the newest chunks covering at least the time asked, oldest first', () => {
    const src = new Source();
    const feed = createAudioFeed(src);
    for (let i = 0; i < 100; i++) src.emit('media', cut(MP3, 0.2));
    const sum = (cs: AudioChunk[]): number => cs.reduce((n, c) => n + c.durationSec, 0);
    for (const sec of [0.1, 0.75, 1, 3.3, 9]) {
      const r = feed.recent(sec);
      assert.ok(sum(r) >= sec, `${sum(r)} < ${sec}`);
      assert.ok(sum(r.slice(1)) < sec, 'no more than needed');
    }
    // History is bounded (about 10 s), so a very long ask gets what is kept.
    assert.ok(sum(feed.recent(1000)) <= 10.5);
  });

  it('drops a subscriber that throws and detaches on close', () => {
    const src = new Source();
    const feed = createAudioFeed(src);
    let good = 0;
    let bad = 0;
    feed.subscribe(() => {
      bad++;
      throw new Error('listener bug');
    });
    const off = feed.subscribe(() => good++);
    src.emit('media', cut(MP3, 0.2));
    src.emit('media', cut(MP3, 0.2));
    assert.equal(bad, 1);
    assert.equal(good, 2);
    off();
    src.emit('media', { bytes: new Uint8Array(188 * 3), discontinuity: false }); // no audio: ignored
    feed.close();
    assert.equal(src.listenerCount('media'), 0);
  });
});
