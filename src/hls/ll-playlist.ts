// src/hls/ll-playlist.ts: lowLatencyPlaylist (pure): the plain live playlist model plus the LL-HLS parts, server control, preload hint and delta skip.
import type { DateRange, LowLatency, MediaPlaylist, OpenSegment } from './playlist.js';

/** The LL settings and live state the playlist shows. */
export interface LowLatencyState {
  partTargetSec: number;
  open: OpenSegment | null;
  preloadHint: string | null;
  /** EXT-X-SERVER-CONTROL:CAN-SKIP-DATERANGES=YES (the scanner timeline: _HLS_skip=v2 is answered). */
  canSkipDateRanges?: boolean;
  /**
   * A v2 delta update (_HLS_skip=v2): the date ranges it keeps and the IDs removed recently
   * (§6.2.5.1). Used only when segments are skipped; otherwise the update is the whole playlist.
   */
  dateRangeDelta?: { dateRanges: readonly DateRange[]; recentlyRemoved: readonly string[] } | null;
}

/** A part hold-back of 3 part targets: Apple's authoring spec 14.3 says it MUST be at least that. */
export const PART_HOLD_BACK_PARTS = 3;
/** RFC 8216bis §4.4.3.8: CAN-SKIP-UNTIL "MUST be at least six times the Target Duration". */
export const SKIP_TARGET_DURATIONS = 6;
/** RFC 8216bis §6.2.2: parts more than 3 target durations from the end SHOULD be dropped. */
export const PART_LIST_TARGET_DURATIONS = 3;

/** The Skip Boundary a playlist of this target duration advertises. */
export function canSkipUntil(targetDurationSec: number): number {
  return SKIP_TARGET_DURATIONS * targetDurationSec;
}

/**
 * Adds the LL-HLS view to a live playlist model: parts only for segments that start within
 * 3 target durations of the end, the open segment's parts, the preload hint, and for a delta
 * update (skip) the count of leading segments that lie wholly beyond the Skip Boundary (§6.2.5.1:
 * segments "more than the Skip Boundary from the end of the Playlist" are replaced by EXT-X-SKIP).
 */
export function lowLatencyPlaylist(
  base: MediaPlaylist,
  ll: LowLatencyState,
  skip: boolean,
): MediaPlaylist {
  const td = base.targetDurationSec;
  const openSec = ll.open?.parts.reduce((t, p) => t + p.durationSec, 0) ?? 0;
  const segments = base.segments.map((s) => ({ ...s }));
  let fromEnd = openSec;
  for (let i = segments.length - 1; i >= 0; i--) {
    fromEnd += segments[i].durationSec;
    if (fromEnd > PART_LIST_TARGET_DURATIONS * td + 1e-9) delete segments[i].parts;
  }
  let skipped = 0;
  if (skip) {
    // Distance from each segment's end to the playlist's end, oldest first.
    let after = openSec + segments.reduce((t, s) => t + s.durationSec, 0);
    for (const s of segments) {
      after -= s.durationSec;
      if (after < canSkipUntil(td)) break;
      skipped++;
    }
  }
  const lowLatency: LowLatency = {
    partTargetSec: ll.partTargetSec,
    partHoldBackSec: PART_HOLD_BACK_PARTS * ll.partTargetSec,
    canSkipUntilSec: canSkipUntil(td),
    open: ll.open,
    preloadHint: ll.preloadHint,
    skippedSegments: skipped,
  };
  if (ll.canSkipDateRanges) lowLatency.canSkipDateRanges = true;
  const delta = skipped > 0 ? ll.dateRangeDelta : null;
  if (!delta) return { ...base, segments, lowLatency };
  // §6.2.5.1: with v2 the update "MUST NOT contain EXT-X-DATERANGE tags that were added to the
  // Playlist more than CAN-SKIP-UNTIL seconds before the Playlist request", and the
  // RECENTLY-REMOVED-DATERANGES attribute "MUST list the date ranges that were removed from the
  // Playlist within CAN-SKIP-UNTIL seconds of the Playlist request".
  lowLatency.recentlyRemovedDateRanges = delta.recentlyRemoved;
  return { ...base, segments, dateRanges: delta.dateRanges, lowLatency };
}

/** The playlist for static servers and players without LL-HLS: no part is listed (§4.4.4.9 parts are optional). */
export function withoutParts(pl: MediaPlaylist): MediaPlaylist {
  return { ...pl, segments: pl.segments.map(({ parts: _parts, ...s }) => s), lowLatency: null };
}
