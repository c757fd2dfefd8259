// src/stream-status.ts: the stream status model shared by /api/status, its Server-Sent Events and the log.

/**
 * Whether media is arriving: 'waiting' (none yet this run), 'receiving', or 'no-signal' (nothing for
 * longer than a segment; the playlist is kept moving with EXT-X-GAP segments).
 */
export type SignalState = 'waiting' | 'receiving' | 'no-signal';

/** What the listening page and GET /api/status show about the stream. */
export interface StreamStatus {
  stream: string;
  /** URL path of the live playlist. */
  playlist: string;
  ingest: {
    connected: boolean;
    /** Publisher address, e.g. 127.0.0.1:53412. */
    remote: string | null;
    /** When the current (or last) publisher connected, ISO 8601. */
    since: string | null;
  };
  /** Codec names of the published program, e.g. ['mp3']. */
  codecs: string[];
  /** Bitrate of the last segment in kbit/s (TS overhead included). */
  bitrateKbps: number | null;
  segmentsPublished: number;
  /** When the newest segment was published, ISO 8601. */
  lastSegmentAt: string | null;
  /** msn of the newest listed segment. */
  mediaSequence: number | null;
  targetDurationSec: number;
  /** Whether media is arriving (see SignalState). */
  signal: SignalState;
  /** When signal last changed, ISO 8601; null while waiting. */
  signalSince: string | null;
  /** Input health counters since start. */
  input: { bytes: number; ccErrors: number; resyncs: number; skippedBytes: number };
}

/** The status of a stream before anything has connected. */
export function initialStatus(stream: string, targetDurationSec: number): StreamStatus {
  return {
    stream,
    playlist: `/hls/${stream}.m3u8`,
    ingest: { connected: false, remote: null, since: null },
    codecs: [],
    bitrateKbps: null,
    segmentsPublished: 0,
    lastSegmentAt: null,
    mediaSequence: null,
    targetDurationSec,
    signal: 'waiting',
    signalSince: null,
    input: { bytes: 0, ccErrors: 0, resyncs: 0, skippedBytes: 0 },
  };
}
