// src/hls/plan-restore.ts: planRestore (pure): which of the previous run's listed segments a restart may list again.
import type { WindowState } from './live-window.js';
import type { MediaSegment } from './playlist.js';

/** What a restart continues with. */
export interface RestorePlan {
  /** The window to continue (sequence numbers never go back). */
  window: WindowState;
  /** Listed before, not listed now: their files (if any) are strays to delete later. */
  dropped: MediaSegment[];
  /** Why segments were dropped, for the log; null when all were kept. */
  reason: string | null;
}

/**
 * A restart lists a saved segment again only if its file is in the output directory at the size
 * it was written with (a tmpfs after a reboot, a changed or emptied --out, a half-copied directory
 * all lose files). Media sequence numbers are positions, so a hole cannot be listed around: the
 * kept segments are the tail after the last missing one. RFC 8216bis §6.2.2: EXT-X-MEDIA-SEQUENCE
 * and EXT-X-DISCONTINUITY-SEQUENCE never decrease, so dropping from the head advances them as
 * eviction does, and the next segment is numbered on from the saved nextMsn.
 *
 * files: name → size in bytes of what is in the output directory now.
 */
export function planRestore(
  saved: WindowState,
  files: ReadonlyMap<string, number>,
  targetDurationSec: number,
): RestorePlan {
  const present = (s: MediaSegment): boolean => {
    const size = files.get(s.uri);
    return size !== undefined && (s.bytes === undefined || s.bytes === size);
  };
  let keepFrom = 0;
  let reason: string | null = null;
  if (saved.targetDurationSec !== targetDurationSec) {
    keepFrom = saved.segments.length;
    reason = `the target duration changed from ${saved.targetDurationSec} to ${targetDurationSec} s`;
  } else {
    for (let i = saved.segments.length - 1; i >= 0; i--) {
      if (!present(saved.segments[i])) {
        keepFrom = i + 1;
        const missing = saved.segments.slice(0, keepFrom).filter((s) => !present(s)).length;
        reason = `${missing} listed segment file(s) are missing from the output directory or have another size`;
        break;
      }
    }
  }
  const dropped = saved.segments.slice(0, keepFrom);
  const kept = saved.segments.slice(keepFrom);
  const nextMsn = Math.max(
    saved.nextMsn,
    saved.mediaSequence,
    ...saved.segments.map((s) => s.msn + 1),
  );
  return {
    window: {
      targetDurationSec,
      mediaSequence: kept[0]?.msn ?? nextMsn,
      discontinuitySequence:
        saved.discontinuitySequence + dropped.filter((s) => s.discontinuity).length,
      nextMsn,
      segments: kept.map((s) => ({ ...s })),
    },
    dropped,
    reason,
  };
}
