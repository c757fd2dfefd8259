// src/ts/audio-frames.ts: MP3 (MPEG-1/2/2.5 audio) and ADTS frame headers, so a PES can be split on a frame boundary.

/** One audio frame's size and timing as read from its header. */
export interface AudioFrameInfo {
  /** Bytes in the whole frame, header included. */
  frameBytes: number;
  /** PCM samples the frame decodes to. */
  samples: number;
  sampleRate: number;
}

/** The audio framing a stream uses. */
export type AudioFraming = 'mpeg-audio' | 'adts';

// ISO/IEC 11172-3 §2.4.2.3 and ISO/IEC 13818-3 bitrate tables, kbit/s, index 1..14.
const BITRATES = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_RATES = [44100, 48000, 32000];
// ISO/IEC 14496-3 Table 1.18 sampling_frequency_index.
const ADTS_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/** Reads an MPEG audio frame header at b[i]; null when there is none. */
export function parseMpegAudioHeader(b: Uint8Array, i: number): AudioFrameInfo | null {
  if (i + 4 > b.length || b[i] !== 0xff || (b[i + 1] & 0xe0) !== 0xe0) return null;
  const versionBits = (b[i + 1] >> 3) & 3; // 0: 2.5, 2: MPEG-2, 3: MPEG-1
  const layerBits = (b[i + 1] >> 1) & 3; // 1: III, 2: II, 3: I
  const brIndex = b[i + 2] >> 4;
  const srIndex = (b[i + 2] >> 2) & 3;
  const padding = (b[i + 2] >> 1) & 1;
  if (versionBits === 1 || layerBits === 0 || brIndex === 0 || brIndex === 15 || srIndex === 3) {
    return null;
  }
  const mpeg1 = versionBits === 3;
  const layer = 4 - layerBits;
  const sampleRate = MPEG_RATES[srIndex] / (mpeg1 ? 1 : versionBits === 2 ? 2 : 4);
  const table = mpeg1
    ? layer === 1
      ? BITRATES.v1l1
      : layer === 2
        ? BITRATES.v1l2
        : BITRATES.v1l3
    : layer === 1
      ? BITRATES.v2l1
      : BITRATES.v2l23;
  const bitrate = table[brIndex] * 1000;
  if (layer === 1) {
    return {
      frameBytes: (Math.floor((12 * bitrate) / sampleRate) + padding) * 4,
      samples: 384,
      sampleRate,
    };
  }
  const samples = layer === 3 && !mpeg1 ? 576 : 1152;
  return {
    frameBytes: Math.floor((samples / 8) * (bitrate / sampleRate)) + padding,
    samples,
    sampleRate,
  };
}

/** Reads an ADTS header at b[i] (ISO/IEC 14496-3 §1.A.2.2); null when there is none. */
export function parseAdtsHeader(b: Uint8Array, i: number): AudioFrameInfo | null {
  if (i + 7 > b.length || b[i] !== 0xff || (b[i + 1] & 0xf6) !== 0xf0) return null;
  const srIndex = (b[i + 2] >> 2) & 0x0f;
  const sampleRate = ADTS_RATES[srIndex];
  if (sampleRate === undefined) return null;
  const frameBytes = ((b[i + 3] & 0x03) << 11) | (b[i + 4] << 3) | (b[i + 5] >> 5);
  const headerBytes = b[i + 1] & 1 ? 7 : 9;
  if (frameBytes < headerBytes) return null;
  return { frameBytes, samples: 1024 * ((b[i + 6] & 3) + 1), sampleRate };
}

/** Frame starts found in an elementary-stream payload, and the shared frame timing. */
export interface FrameScan {
  /** Byte offsets of each frame start; the last frame may run past the payload's end. */
  offsets: number[];
  samples: number;
  sampleRate: number;
}

/**
 * Walks frames from the start of es. Returns null when es does not begin with a frame header
 * (an encoder that does not align PES to frames), so the caller falls back to PES boundaries.
 */
export function scanFrames(es: Uint8Array, framing: AudioFraming): FrameScan | null {
  const parse = framing === 'adts' ? parseAdtsHeader : parseMpegAudioHeader;
  const first = parse(es, 0);
  if (!first) return null;
  const offsets: number[] = [];
  let i = 0;
  let info: AudioFrameInfo | null = first;
  while (info && i < es.length) {
    if (info.sampleRate !== first.sampleRate || info.samples !== first.samples) break;
    offsets.push(i);
    i += info.frameBytes;
    info = parse(es, i);
  }
  return { offsets, samples: first.samples, sampleRate: first.sampleRate };
}

/** Duration of one frame in 90 kHz ticks (not always a whole number). */
export function frameTicks(scan: Pick<FrameScan, 'samples' | 'sampleRate'>): number {
  return (scan.samples * 90000) / scan.sampleRate;
}
