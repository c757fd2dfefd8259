// src/calls/replay-playlists.ts: VOD playlists for replay: one call's own chunks, and any retained window of the stream's segments (pure).
import type { MediaSegment } from '../hls/playlist.js';
import { renderMediaPlaylist } from '../hls/render.js';
import type { SegmentRow } from './call-db.js';
import type { Chunk } from './call-media.js';

/** EXT-X-TARGETDURATION: "The EXTINF duration of each Media Segment in the Playlist file, when rounded to the nearest integer, MUST be less than or equal to the Target Duration" (RFC 8216bis §4.4.3.1). */
function targetOf(durations: readonly number[], atLeast: number): number {
  return Math.max(atLeast, 1, ...durations.map((d) => Math.round(d)));
}

/**
 * A call's VOD playlist: its chunks (ID/N.ts, relative to /api/calls/ID.m3u8), each with
 * PROGRAM-DATE-TIME, a discontinuity where the stream had one, PLAYLIST-TYPE:VOD and ENDLIST.
 * The EXTINFs are exact frame counts, so players see the call's duration to the sample.
 */
export function callPlaylist(id: string, chunks: readonly Chunk[]): string {
  const segments: MediaSegment[] = chunks.map((c, n) => ({
    msn: n,
    uri: `${id}/${n}.ts`,
    durationSec: c.durationSec,
    discontinuity: c.discontinuity,
    programDateTimeMs: Math.round(c.wallMs),
  }));
  return renderMediaPlaylist({
    targetDurationSec: targetOf(
      chunks.map((c) => c.durationSec),
      0,
    ),
    mediaSequence: 0,
    discontinuitySequence: 0,
    playlistType: 'VOD',
    endList: true,
    segments,
  });
}

/**
 * A time-shift (DVR) playlist of retained segments in time order, relative to /hls/ (the same
 * files the live playlist listed). A segment gets EXT-X-DISCONTINUITY where the live playlist
 * gave it one, and where the list is not continuous (another run, or a sequence number skipped
 * because a segment is gone); GAP segments keep EXT-X-GAP.
 */
export function windowPlaylist(rows: readonly SegmentRow[], targetDurationSec: number): string {
  const segments: MediaSegment[] = rows.map((s, i) => {
    const prev = rows[i - 1];
    const follows = prev !== undefined && prev.run === s.run && prev.msn + 1 === s.msn;
    return {
      msn: i,
      uri: s.uri,
      durationSec: s.duration,
      discontinuity: i > 0 && (s.discontinuity || !follows),
      programDateTimeMs: s.pdt,
      ...(s.gap && { gap: true }),
    };
  });
  return renderMediaPlaylist({
    targetDurationSec: targetOf(
      rows.map((s) => s.duration),
      targetDurationSec,
    ),
    mediaSequence: 0,
    discontinuitySequence: 0,
    playlistType: 'VOD',
    endList: true,
    segments,
  });
}
