// src/hls/live-feed.ts: LiveFeed, what the HTTP layer reads from the live packager to answer Low-Latency HLS requests.

/** A part of the live stream: media sequence number and 0-based part index (RFC 8216bis §6.2.5.2). */
export interface PartPosition {
  msn: number;
  part: number;
}

/** The Low-Latency settings in force (constant for the life of the stream). */
export interface LowLatencyInfo {
  /** EXT-X-PART-INF:PART-TARGET in seconds. */
  partTargetSec: number;
  /** EXT-X-TARGETDURATION in seconds. */
  targetDurationSec: number;
  /** EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL in seconds. */
  canSkipUntilSec: number;
}

/** How much of the playlist a request asked to skip (RFC 8216bis §6.2.5.1). */
export type SkipRequest = 'no' | 'YES' | 'v2';

/** The live playlist as the packager publishes it. */
export interface LiveFeed {
  /** LL settings, or null while LL-HLS is off or the first part's format is not known yet. */
  lowLatency(): LowLatencyInfo | null;
  /**
   * The newest published part; null before the first one (and always when LL is off). Its msn is
   * the parent segment of that part, which may still be in progress (the HTTP layer counts the
   * _HLS_msn limit of RFC 8216bis §6.2.5.2 from it).
   */
  position(): PartPosition | null;
  /**
   * The playlist text, full or as a delta update; null before the first segment or part. Called
   * for every playlist request (and once per skip mode per publish for held ones): return a stored
   * string; the HTTP layer encodes and gzips each new text once.
   */
  playlist(skip: SkipRequest): string | null;
  /**
   * The URI in EXT-X-PRELOAD-HINT now (relative to the playlist), or null. A GET for it that comes
   * before its file is held until a publish moves the hint on, then the file is read from the
   * served directory: so a part's file is there, whole, before the publish that lists it.
   */
  preloadHint(): string | null;
  /**
   * Calls fn after every update of the playlist (a part, a segment or a GAP), once position(),
   * playlist() and preloadHint() all answer the new state; returns an unsubscribe. fn must be
   * cheap: the HTTP layer only schedules its work there.
   */
  onPublish(fn: () => void): () => void;
}
