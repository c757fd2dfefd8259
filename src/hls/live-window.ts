// src/hls/live-window.ts: LiveWindow (pure): the sliding window of listed segments and the sequence counters.
import type { MediaPlaylist, MediaSegment } from './playlist.js';

/** What survives a restart (kept in the state dir). */
export interface WindowState {
  targetDurationSec: number;
  mediaSequence: number;
  discontinuitySequence: number;
  nextMsn: number;
  segments: MediaSegment[];
}

/** Window settings. size null keeps every segment (VOD). */
export interface WindowOptions {
  size: number | null;
  targetDurationSec: number;
}

/**
 * Appends segments and drops them from the head. RFC 8216bis §6.2.2: MEDIA-SEQUENCE goes up by one
 * per removed segment and never decreases; when a segment carrying EXT-X-DISCONTINUITY is removed,
 * DISCONTINUITY-SEQUENCE goes up by one so the remaining segments keep their discontinuity numbers.
 */
export class LiveWindow {
  private segments: MediaSegment[] = [];
  private mediaSequence = 0;
  private discontinuitySequence = 0;
  private nextMsnValue = 0;

  constructor(
    private readonly opts: WindowOptions,
    restored: WindowState | null = null,
  ) {
    if (restored) {
      this.segments = restored.segments.map((s) => ({ ...s }));
      this.mediaSequence = restored.mediaSequence;
      this.discontinuitySequence = restored.discontinuitySequence;
      this.nextMsnValue = Math.max(
        restored.nextMsn,
        ...restored.segments.map((s) => s.msn + 1),
        restored.mediaSequence,
      );
    }
  }

  /** The msn the next added segment gets. */
  get nextMsn(): number {
    return this.nextMsnValue;
  }

  /** Segments listed now. */
  get listed(): readonly MediaSegment[] {
    return this.segments;
  }

  /** Lists a segment; returns the segments that left the playlist. */
  add(seg: Omit<MediaSegment, 'msn'>): { msn: number; evicted: MediaSegment[] } {
    const msn = this.nextMsnValue++;
    this.segments.push({ ...seg, msn });
    const evicted: MediaSegment[] = [];
    // RFC 8216bis §6.2.2: "The server MUST NOT remove a Media Segment from a Playlist file
    // without an EXT-X-ENDLIST tag if that would produce a Playlist whose duration is less than
    // three times the Target Duration." Segments run a frame short of the grid step now and
    // then (2.011 / 1.985 s of 44.1 kHz MP3), so the count alone is not enough.
    const minSec = 3 * this.opts.targetDurationSec;
    let total = this.segments.reduce((sum, s) => sum + s.durationSec, 0);
    while (this.opts.size !== null && this.segments.length > this.opts.size) {
      const head = this.segments[0];
      if (total - head.durationSec < minSec) break;
      total -= head.durationSec;
      const gone = this.segments.shift();
      if (!gone) break;
      this.mediaSequence = gone.msn + 1;
      if (gone.discontinuity) this.discontinuitySequence++;
      evicted.push(gone);
    }
    return { msn, evicted };
  }

  /** The playlist model: live, live with EXT-X-ENDLIST (input ended), or VOD. */
  toPlaylist(kind: 'live' | 'ended' | 'vod'): MediaPlaylist {
    const first = this.segments[0];
    return {
      targetDurationSec: this.opts.targetDurationSec,
      mediaSequence: first ? first.msn : this.mediaSequence,
      discontinuitySequence: this.discontinuitySequence,
      playlistType: kind === 'vod' ? 'VOD' : null,
      endList: kind !== 'live',
      segments: this.segments.map((s) => ({ ...s })),
    };
  }

  /** State to persist. */
  snapshot(): WindowState {
    return {
      targetDurationSec: this.opts.targetDurationSec,
      mediaSequence: this.segments[0]?.msn ?? this.mediaSequence,
      discontinuitySequence: this.discontinuitySequence,
      nextMsn: this.nextMsnValue,
      segments: this.segments.map((s) => ({ ...s })),
    };
  }
}
