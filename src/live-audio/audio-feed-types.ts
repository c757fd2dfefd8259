// src/live-audio/audio-feed-types.ts: the contract between the live audio tap (audio-feed.ts) and its consumers (/live.mp3, --relay): elementary audio frames in real time, and the stream title.

/** The elementary audio's codec: MP3 (MPEG-1/2 Layer III frames) or AAC (ADTS frames). */
export type AudioCodec = 'mp3' | 'aac';

/** One run of whole elementary-stream frames, as the packager cut it (a part or a segment). */
export interface AudioChunk {
  codec: AudioCodec;
  sampleRate: number;
  channels: number;
  /** Whole frames back to back (MP3 frames, or ADTS frames with their headers): playable as a file. */
  frames: Uint8Array;
  /** Their playing time, seconds. */
  durationSec: number;
  /** The timeline broke just before these frames (a new encoder session, a jump). */
  discontinuity: boolean;
}

/** The live audio, frame-exact, in the order it was cut. */
export interface AudioFeed {
  /** Calls fn for every chunk from now on; returns an unsubscribe. fn must not throw or block. */
  subscribe(fn: (chunk: AudioChunk) => void): () => void;
  /** The newest chunks covering at least sec seconds (for a start-up burst), oldest first. */
  recent(sec: number): AudioChunk[];
  /** The codec and format of the newest chunk, or null before the first. */
  format(): { codec: AudioCodec; sampleRate: number; channels: number } | null;
}

/** What is on the air now, as a one-line title (label, else channel or frequency); null when quiet or unknown. */
export interface TitleSource {
  current(): string | null;
  /** Calls fn when the title changes; returns an unsubscribe. */
  onChange(fn: (title: string | null) => void): () => void;
}
