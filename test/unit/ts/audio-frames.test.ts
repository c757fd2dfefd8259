// test/unit/ts/audio-frames.test.ts: MPEG-1/2/2.5 audio and ADTS header parsing (every header combination against the standards' tables), scanFrames and frameTicks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  frameTicks,
  parseAdtsHeader,
  parseMpegAudioHeader,
  scanFrames,
} from '../../../src/ts/audio-frames.js';
import {
  adtsHeader,
  audioFrames,
  mpegAudioHeader,
  mp3SilentFrame,
} from '../../helpers/ts-builder.js';

// Typed in from ISO/IEC 11172-3 Table 2.4.2.3 and ISO/IEC 13818-3 Table 2.4.2.3 (kbit/s by bitrate_index).
const KBPS: Record<string, number[]> = {
  'v1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  'v1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  'v1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  'v2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  'v2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  'v2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
// sampling_frequency by ID: MPEG-1 (11172-3), MPEG-2 LSF (13818-3), MPEG-2.5 (the common extension).
const RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/** The frame length in bytes by integer arithmetic (11172-3 §2.4.3.1, 13818-3 §2.4.3.1). */
function referenceFrameBytes(
  versionId: number,
  layer: number,
  kbps: number,
  rate: number,
  pad: number,
): number {
  const bps = kbps * 1000;
  if (layer === 1) return (Math.floor((12 * bps) / rate) + pad) * 4;
  const slots = layer === 3 && versionId !== 3 ? 72 : 144;
  return Math.floor((slots * bps) / rate) + pad;
}

describe('parseMpegAudioHeader', () => {
  it('every legal MPEG-1/2/2.5 Layer I/II/III header: size, samples and rate match the standards', () => {
    let checked = 0;
    for (const versionId of [3, 2, 0]) {
      for (const layerBits of [1, 2, 3]) {
        const layer = 4 - layerBits;
        const table = KBPS[`${versionId === 3 ? 'v1' : 'v2'}-${layer}`];
        for (let bitrateIndex = 1; bitrateIndex <= 14; bitrateIndex++) {
          for (let srIndex = 0; srIndex <= 2; srIndex++) {
            for (const padding of [false, true]) {
              const h = mpegAudioHeader({ versionId, layerBits, bitrateIndex, srIndex, padding });
              const info = parseMpegAudioHeader(h, 0);
              const rate = RATES[versionId][srIndex];
              const label = `ID ${versionId} layer ${layer} br ${bitrateIndex} sr ${srIndex} pad ${padding}`;
              assert.deepEqual(
                info,
                {
                  frameBytes: referenceFrameBytes(
                    versionId,
                    layer,
                    table[bitrateIndex],
                    rate,
                    padding ? 1 : 0,
                  ),
                  samples: layer === 1 ? 384 : layer === 2 || versionId === 3 ? 1152 : 576,
                  sampleRate: rate,
                },
                label,
              );
              checked++;
            }
          }
        }
      }
    }
    assert.equal(checked, 3 * 3 * 14 * 3 * 2);
  });

  it('well-known sizes: 128 kbit/s 44.1 kHz MP3 is 417/418 bytes; 16 kbit/s 22.05 kHz LSF 52; 8 kbit/s 8 kHz MPEG-2.5 72', () => {
    const v1 = { versionId: 3, layerBits: 1, bitrateIndex: 9, srIndex: 0 };
    assert.equal(parseMpegAudioHeader(mpegAudioHeader(v1), 0)?.frameBytes, 417);
    assert.equal(
      parseMpegAudioHeader(mpegAudioHeader({ ...v1, padding: true }), 0)?.frameBytes,
      418,
    );
    const lsf = { versionId: 2, layerBits: 1, bitrateIndex: 2, srIndex: 0 };
    assert.deepEqual(parseMpegAudioHeader(mpegAudioHeader(lsf), 0), {
      frameBytes: 52,
      samples: 576,
      sampleRate: 22050,
    });
    const v25 = { versionId: 0, layerBits: 1, bitrateIndex: 1, srIndex: 2 };
    assert.deepEqual(parseMpegAudioHeader(mpegAudioHeader(v25), 0), {
      frameBytes: 72,
      samples: 576,
      sampleRate: 8000,
    });
  });

  it("11172-3 §2.4.2.3: reserved ID '01', layer '00', free-format and forbidden bitrate, reserved rate: null", () => {
    const ok = { versionId: 3, layerBits: 1, bitrateIndex: 9, srIndex: 0 };
    assert.ok(parseMpegAudioHeader(mpegAudioHeader(ok), 0));
    assert.equal(parseMpegAudioHeader(mpegAudioHeader({ ...ok, versionId: 1 }), 0), null);
    assert.equal(parseMpegAudioHeader(mpegAudioHeader({ ...ok, layerBits: 0 }), 0), null);
    assert.equal(parseMpegAudioHeader(mpegAudioHeader({ ...ok, bitrateIndex: 0 }), 0), null);
    assert.equal(parseMpegAudioHeader(mpegAudioHeader({ ...ok, bitrateIndex: 15 }), 0), null);
    assert.equal(parseMpegAudioHeader(mpegAudioHeader({ ...ok, srIndex: 3 }), 0), null);
  });

  it('the 11-bit syncword must be all ones; fewer than 4 bytes left is no header', () => {
    const h = mpegAudioHeader({ versionId: 3, layerBits: 1, bitrateIndex: 9, srIndex: 0 });
    assert.equal(parseMpegAudioHeader(Uint8Array.of(0xfe, h[1], h[2], h[3]), 0), null);
    assert.equal(parseMpegAudioHeader(Uint8Array.of(0xff, h[1] & 0xdf, h[2], h[3]), 0), null);
    assert.equal(parseMpegAudioHeader(h.subarray(0, 3), 0), null);
    assert.equal(parseMpegAudioHeader(Buffer.concat([Uint8Array.of(9, 9), h]), 2)?.frameBytes, 417);
    assert.equal(parseMpegAudioHeader(Buffer.concat([Uint8Array.of(9, 9), h]), 3), null);
  });
});

describe('parseAdtsHeader', () => {
  // ISO/IEC 14496-3 Table 1.18.
  const ADTS = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
  ];

  it('14496-3 Table 1.18: each sampling_frequency_index 0–12; 13–15 are no header', () => {
    for (let srIndex = 0; srIndex < 16; srIndex++) {
      const info = parseAdtsHeader(adtsHeader({ frameBytes: 300, srIndex }), 0);
      if (srIndex <= 12)
        assert.deepEqual(info, { frameBytes: 300, samples: 1024, sampleRate: ADTS[srIndex] });
      else assert.equal(info, null, `index ${srIndex}`);
    }
  });

  it('§1.A.2.2: aac_frame_length is 13 bits across bytes 3–5, for every length', () => {
    for (let len = 7; len < 8192; len++) {
      assert.equal(
        parseAdtsHeader(adtsHeader({ frameBytes: len, srIndex: 4 }), 0)?.frameBytes,
        len,
      );
    }
  });

  it('§1.A.2.2: a frame shorter than its header (7 bytes, or 9 with CRC) is no header', () => {
    assert.equal(parseAdtsHeader(adtsHeader({ frameBytes: 6, srIndex: 4 }), 0), null);
    assert.ok(parseAdtsHeader(adtsHeader({ frameBytes: 7, srIndex: 4 }), 0));
    const crc = (n: number) =>
      parseAdtsHeader(adtsHeader({ frameBytes: n, srIndex: 4, protectionAbsent: false }), 0);
    assert.equal(crc(8), null);
    assert.equal(crc(9)?.frameBytes, 9);
  });

  it('§1.A.2.2: number_of_raw_data_blocks_in_frame + 1 blocks of 1024 samples', () => {
    for (let rawBlocks = 0; rawBlocks < 4; rawBlocks++) {
      const info = parseAdtsHeader(adtsHeader({ frameBytes: 500, srIndex: 3, rawBlocks }), 0);
      assert.equal(info?.samples, 1024 * (rawBlocks + 1));
    }
  });

  it("§1.A.2.2: the syncword 0xFFF and layer '00' are required; MPEG-2 and MPEG-4 IDs both pass", () => {
    const h = adtsHeader({ frameBytes: 100, srIndex: 4 });
    assert.ok(parseAdtsHeader(adtsHeader({ frameBytes: 100, srIndex: 4, id: 1 }), 0));
    const layered = Uint8Array.from(h);
    layered[1] |= 0x02;
    assert.equal(parseAdtsHeader(layered, 0), null);
    const nosync = Uint8Array.from(h);
    nosync[1] &= 0x7f;
    assert.equal(parseAdtsHeader(nosync, 0), null);
    assert.equal(parseAdtsHeader(h.subarray(0, 6), 0), null, 'fewer than 7 bytes');
  });

  it('an MP3 header is not taken for ADTS', () => {
    const mp3 = mpegAudioHeader({ versionId: 3, layerBits: 1, bitrateIndex: 9, srIndex: 0 });
    assert.equal(parseAdtsHeader(Buffer.concat([mp3, new Uint8Array(10)]), 0), null);
  });
});

describe('scanFrames', () => {
  it('walks every frame of a CBR MP3 run whose sizes vary with the padding bit', () => {
    const frames = [0, 1, 2, 3, 4, 5, 6, 7].map((n) =>
      mp3SilentFrame({
        versionId: 3,
        layerBits: 1,
        bitrateIndex: 9,
        srIndex: 0,
        padding: n % 3 === 1,
      }),
    );
    const es = Buffer.concat(frames);
    const scan = scanFrames(es, 'mpeg-audio');
    const offsets: number[] = [];
    let at = 0;
    for (const f of frames) {
      offsets.push(at);
      at += f.length;
    }
    assert.deepEqual(scan, { offsets, samples: 1152, sampleRate: 44100 });
    assert.ok(new Set(frames.map((f) => f.length)).size === 2, 'both 417 and 418 byte frames');
  });

  it('the last frame may run past the end of the payload', () => {
    const es = audioFrames('mp3-lsf', 5);
    const cut = es.subarray(0, es.length - 10);
    assert.equal(scanFrames(cut, 'mpeg-audio')?.offsets.length, 5);
  });

  it('stops at bytes that are not a frame header', () => {
    const es = Buffer.concat([audioFrames('mp3', 3), new Uint8Array(50), audioFrames('mp3', 2)]);
    assert.equal(scanFrames(es, 'mpeg-audio')?.offsets.length, 3);
  });

  it('stops where the sample rate or frame length in samples changes', () => {
    const at441 = audioFrames('mp3', 2);
    const at48 = mp3SilentFrame({ versionId: 3, layerBits: 1, bitrateIndex: 9, srIndex: 1 });
    assert.equal(scanFrames(Buffer.concat([at441, at48, at441]), 'mpeg-audio')?.offsets.length, 2);
    const lsf = audioFrames('mp3-lsf', 1);
    assert.equal(scanFrames(Buffer.concat([at441, lsf]), 'mpeg-audio')?.offsets.length, 2);
  });

  it('an unaligned PES (no header at byte 0) gives null, so the caller cuts on PES boundaries', () => {
    assert.equal(
      scanFrames(Buffer.concat([Uint8Array.of(0), audioFrames('mp3', 3)]), 'mpeg-audio'),
      null,
    );
    assert.equal(scanFrames(new Uint8Array(0), 'adts'), null);
  });

  it('ADTS frames, and the framing chosen decides which headers count', () => {
    const es = audioFrames('aac', 6);
    assert.deepEqual(scanFrames(es, 'adts'), {
      offsets: [0, 11, 22, 33, 44, 55],
      samples: 1024,
      sampleRate: 44100,
    });
    assert.equal(scanFrames(audioFrames('mp3', 2), 'adts'), null);
  });

  it('MPEG-2.5 frames (8 kHz) walk at 72 bytes', () => {
    assert.deepEqual(scanFrames(audioFrames('mp3-8k', 4), 'mpeg-audio'), {
      offsets: [0, 72, 144, 216],
      samples: 576,
      sampleRate: 8000,
    });
  });
});

describe('frameTicks', () => {
  it('samples × 90000 / rate, not rounded', () => {
    assert.equal(frameTicks({ samples: 1152, sampleRate: 48000 }), 2160);
    assert.equal(frameTicks({ samples: 576, sampleRate: 8000 }), 6480);
    assert.equal(frameTicks({ samples: 1024, sampleRate: 44100 }), (1024 * 90000) / 44100);
    assert.ok(Math.abs(frameTicks({ samples: 1152, sampleRate: 44100 }) - 2351.0204) < 1e-4);
    assert.equal(
      frameTicks({ samples: 576, sampleRate: 22050 }),
      frameTicks({ samples: 1152, sampleRate: 44100 }),
    );
  });
});
