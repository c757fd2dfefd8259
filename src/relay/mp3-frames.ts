// src/relay/mp3-frames.ts: MP3 frames one by one (pure): split a byte run on frame headers, read a frame's format and bitrate, so the relay can pace frames and match its silence to them.
import type { AudioFormat } from '../hls/silence.js';
import { parseMpegAudioHeader } from '../ts/audio-frames.js';

/** One whole Layer III frame and its playing time. */
export interface Mp3Frame {
  bytes: Uint8Array;
  durationMs: number;
}

/** Layer III only: layer bits '01' (ISO/IEC 11172-3 §2.4.2.3). */
function layer3At(b: Uint8Array, i: number): ReturnType<typeof parseMpegAudioHeader> {
  const info = parseMpegAudioHeader(b, i);
  return info && ((b[i + 1] >> 1) & 3) === 1 ? info : null;
}

/**
 * Whole frames from the start of b, skipping bytes that are not a frame (an ID3 tag, garbage);
 * rest is the tail that may be the start of a frame still arriving (at most one frame long).
 */
export function splitMp3Frames(b: Uint8Array): {
  frames: Mp3Frame[];
  rest: Uint8Array;
  skipped: number;
} {
  const frames: Mp3Frame[] = [];
  let i = 0;
  let skipped = 0;
  while (i + 4 <= b.length) {
    const info = layer3At(b, i);
    if (!info) {
      i++;
      skipped++;
      continue;
    }
    if (i + info.frameBytes > b.length) break;
    // A frame must be followed by another header (or end the run) to count, so a stray sync word
    // inside skipped bytes is not taken for a frame.
    const next = i + info.frameBytes;
    if (next + 4 <= b.length && !layer3At(b, next) && frames.length === 0 && i > 0) {
      i++;
      skipped++;
      continue;
    }
    frames.push({
      bytes: b.subarray(i, next),
      durationMs: (info.samples * 1000) / info.sampleRate,
    });
    i = next;
  }
  return { frames, rest: b.subarray(Math.min(i, b.length)), skipped };
}

/** The format of the Layer III frame at b[0] (what silentFrame must match), and its bitrate. */
export function mp3FrameFormat(b: Uint8Array): { format: AudioFormat; bitrateKbps: number } | null {
  const info = layer3At(b, 0);
  if (!info) return null;
  const channelMode = b[3] >> 6;
  const padding = (b[2] >> 1) & 1;
  return {
    format: {
      codec: 'mp3',
      sampleRate: info.sampleRate,
      channels: channelMode === 3 ? 1 : 2,
      samplesPerFrame: info.samples,
      versionId: (b[1] >> 3) & 3,
      samplingFrequencyIndex: (b[2] >> 2) & 3,
      channelMode,
      profile: 0,
    },
    // frameBytes = samples/8 × bitrate / sampleRate + padding (11172-3 §2.4.3.1).
    bitrateKbps: Math.round(
      ((info.frameBytes - padding) * 8 * info.sampleRate) / info.samples / 1000,
    ),
  };
}
