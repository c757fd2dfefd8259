// src/hls/playlist.ts: the media playlist as plain data (one field per tag), rendered by render.ts.

/** One part of a segment (Low-Latency HLS, RFC 8216bis §4.4.4.9). */
export interface MediaPart {
  /** Relative URI, e.g. live-mk2q-120.p3.ts. */
  uri: string;
  /** DURATION in seconds, at most PART-TARGET. */
  durationSec: number;
  /** INDEPENDENT=YES: the part starts on a random access point (every audio part). */
  independent: boolean;
  /** GAP=YES: no media (the input was lost); the URI holds silence. */
  gap?: boolean;
}

/** One listed segment (RFC 8216bis §4.4.4). */
export interface MediaSegment {
  /** Media sequence number. */
  msn: number;
  /** Relative URI, e.g. live-mk2q-120.ts. */
  uri: string;
  /** EXTINF: measured duration in seconds. */
  durationSec: number;
  /** EXT-X-DISCONTINUITY before this segment. */
  discontinuity: boolean;
  /** EXT-X-PROGRAM-DATE-TIME of the first sample, ms since the epoch. */
  programDateTimeMs: number;
  /** EXT-X-GAP: no media for this span; the URI has no file and is not to be loaded (§4.4.4.7). */
  gap?: boolean;
  /** Size of the file as written (not rendered): a restart lists only files still of this size. */
  bytes?: number;
  /** Its parts, rendered only while the segment is among the last 3 target durations (LL-HLS). */
  parts?: MediaPart[];
}

/** The segment being built: its parts so far, listed after the last whole segment. */
export interface OpenSegment {
  discontinuity: boolean;
  programDateTimeMs: number;
  gap?: boolean;
  parts: MediaPart[];
}

/** A client-defined attribute of a date range (§4.4.5.1: its name starts with X-). */
export interface DateRangeAttribute {
  /** X-FREQUENCY, X-CHANNEL, …: uppercase letters, digits and '-'. */
  name: string;
  /** A decimal-floating-point as written, or the text of a quoted-string (no '"', CR or LF). */
  value: string;
  quoted: boolean;
}

/** One EXT-X-DATERANGE (RFC 8216bis §4.4.5.1). */
export interface DateRange {
  /** ID, unique in the playlist and never reused for another range. */
  id: string;
  /** CLASS: the reverse-DNS name of what the range means. */
  className: string;
  /** START-DATE, ms since the epoch. */
  startMs: number;
  /** END-DATE (and DURATION) once the range has ended; null while it is open. */
  endMs: number | null;
  /** Client attributes, in the order written. */
  attributes: readonly DateRangeAttribute[];
}

/** The Low-Latency HLS tags of a live playlist (RFC 8216bis §4.4.3.7, §4.4.3.8, §4.4.5). */
export interface LowLatency {
  /** EXT-X-PART-INF:PART-TARGET, constant for the life of the stream. */
  partTargetSec: number;
  /** EXT-X-SERVER-CONTROL:PART-HOLD-BACK, at least 3 × PART-TARGET (Apple authoring spec 14.3). */
  partHoldBackSec: number;
  /** EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL, at least 6 × target duration (§4.4.3.8). */
  canSkipUntilSec: number;
  /** The segment whose parts are being published, or null right after a segment completed. */
  open: OpenSegment | null;
  /** EXT-X-PRELOAD-HINT:TYPE=PART URI of the next part, or null. */
  preloadHint: string | null;
  /** A delta update (§6.2.5.1): the first this many listed segments are replaced by EXT-X-SKIP. */
  skippedSegments: number;
  /** EXT-X-SERVER-CONTROL:CAN-SKIP-DATERANGES=YES (delta updates with _HLS_skip=v2 skip old date ranges). */
  canSkipDateRanges?: boolean;
  /** A v2 delta update: EXT-X-SKIP:RECENTLY-REMOVED-DATERANGES (may be empty); null otherwise. */
  recentlyRemovedDateRanges?: readonly string[] | null;
}

/** A media playlist (RFC 8216bis §4.4.3). */
export interface MediaPlaylist {
  /** EXT-X-TARGETDURATION, whole seconds, fixed for the life of the stream. */
  targetDurationSec: number;
  /** EXT-X-MEDIA-SEQUENCE: msn of the first listed segment. */
  mediaSequence: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE. */
  discontinuitySequence: number;
  /** 'VOD' adds EXT-X-PLAYLIST-TYPE:VOD; a live playlist has none (§6.2.2). */
  playlistType: 'VOD' | null;
  /** EXT-X-ENDLIST. */
  endList: boolean;
  segments: MediaSegment[];
  /** EXT-X-DATERANGE tags, written after the header; absent or empty for none. */
  dateRanges?: readonly DateRange[];
  /** Low-Latency HLS; absent or null for a plain playlist. */
  lowLatency?: LowLatency | null;
}
