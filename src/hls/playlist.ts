// src/hls/playlist.ts: the media playlist as plain data (one field per tag), rendered by render.ts.

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
}
