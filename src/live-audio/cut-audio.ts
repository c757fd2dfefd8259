// src/live-audio/cut-audio.ts: the elementary audio of one cut part or segment (TS, PAT+PMT first) as an AudioChunk (pure).
import { segmentAudio } from '../calls/call-frames.js';
import type { AudioChunk } from './audio-feed-types.js';
import { frameFormat } from './frame-format.js';

/** What the packager's 'media' event carries that this needs. */
export interface CutLike {
  bytes: Uint8Array;
  discontinuity: boolean;
}

/**
 * The whole audio frames of cut, back to back, with their format and playing time
 * (frames × samples per frame ÷ sample rate). Every part and segment starts with PAT and PMT and
 * is cut on a frame boundary (src/hls/pes-split.ts), so its frames are whole. Null when the cut
 * has no MP3/ADTS audio (a video-only program, a damaged cut).
 */
export function chunkOfCut(cut: CutLike): AudioChunk | null {
  const audio = segmentAudio(cut.bytes, 0);
  if (!audio || audio.frames.length === 0) return null;
  const codec = audio.track.framing === 'adts' ? 'aac' : 'mp3';
  const frames = Buffer.concat(audio.frames.map((f) => f.data));
  const format = frameFormat(frames, codec);
  if (!format) return null;
  return {
    codec,
    sampleRate: audio.track.sampleRate,
    channels: format.channels,
    frames,
    durationSec: (audio.frames.length * audio.track.samples) / audio.track.sampleRate,
    discontinuity: cut.discontinuity,
  };
}
