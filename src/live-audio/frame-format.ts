// src/live-audio/frame-format.ts: what a run of whole MP3/ADTS frames is (format for silence, frame boundaries, bitrate), read from the frame headers (pure).
import type { AudioFormat } from '../hls/silence.js';
import { parseAdtsHeader, parseMpegAudioHeader, scanFrames } from '../ts/audio-frames.js';
import { mp3FrameFormat } from '../relay/mp3-frames.js';
import type { AudioCodec } from './audio-feed-types.js';

/**
 * The AudioFormat of the frame at frames[0] (what silentFrame needs to match it), or null when
 * it is not a Layer III / ADTS header. MP3: mp3FrameFormat (ISO/IEC 11172-3 §2.4.1.3); ADTS:
 * ISO/IEC 14496-3 §1.A.2.2 (ID, profile, sampling_frequency_index, channel_configuration).
 */
export function frameFormat(frames: Uint8Array, codec: AudioCodec): AudioFormat | null {
  // MP3 header parsing is owned by the relay's frame module (one parser for both).
  if (codec === 'mp3') return mp3FrameFormat(frames)?.format ?? null;
  const info = parseAdtsHeader(frames, 0);
  if (!info) return null;
  const channelConfiguration = ((frames[2] & 1) << 2) | (frames[3] >> 6);
  return {
    codec,
    sampleRate: info.sampleRate,
    channels: channelConfiguration,
    samplesPerFrame: info.samples,
    versionId: (frames[1] >> 3) & 1,
    samplingFrequencyIndex: (frames[2] >> 2) & 0x0f,
    channelMode: channelConfiguration,
    profile: frames[2] >> 6,
  };
}

/** Byte offsets where each whole frame starts, plus the end; and one frame's playing time. */
export interface FrameBounds {
  /** offsets[k] is frame k's start; the last entry is the end of the last whole frame. */
  offsets: number[];
  frameSec: number;
}

/** The whole frames of frames (back to back from byte 0); a frame cut short at the end is left out. */
export function frameBounds(frames: Uint8Array, codec: AudioCodec): FrameBounds {
  const scan = scanFrames(frames, codec === 'aac' ? 'adts' : 'mpeg-audio');
  if (!scan) return { offsets: [0], frameSec: 0 };
  const parse = codec === 'aac' ? parseAdtsHeader : parseMpegAudioHeader;
  const offsets = [...scan.offsets];
  const last = offsets.at(-1) ?? 0;
  const end = last + (parse(frames, last)?.frameBytes ?? 0);
  if (end <= frames.length) offsets.push(end);
  return { offsets, frameSec: scan.samples / scan.sampleRate };
}

/** The average bitrate in whole kbit/s (icy-br), or null for no audio. */
export function bitrateKbps(bytes: number, durationSec: number): number | null {
  if (!(durationSec > 0) || bytes <= 0) return null;
  return Math.round((bytes * 8) / durationSec / 1000);
}
