// src/hls/render.ts: renderMediaPlaylist: MediaPlaylist → m3u8 text, one small function per tag.
import type { MediaPlaylist, MediaSegment } from './playlist.js';

// RFC 8216bis §6.2.1: EXT-X-VERSION SHOULD NOT exceed what the tags need. Decimal EXTINF
// durations need version 3; nothing else we write needs more.
const VERSION = 3;

function renderHeader(pl: MediaPlaylist): string[] {
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${VERSION}`,
    `#EXT-X-TARGETDURATION:${pl.targetDurationSec}`,
    `#EXT-X-MEDIA-SEQUENCE:${pl.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${pl.discontinuitySequence}`,
  ];
  if (pl.playlistType) lines.push(`#EXT-X-PLAYLIST-TYPE:${pl.playlistType}`);
  return lines;
}

/** EXTINF with microsecond precision so summed durations do not drift (§4.4.4.1). */
export function renderExtinf(durationSec: number): string {
  return `#EXTINF:${durationSec.toFixed(6)},`;
}

/** ISO 8601 with milliseconds and a time zone (§4.4.4.6). */
export function renderProgramDateTime(ms: number): string {
  return `#EXT-X-PROGRAM-DATE-TIME:${new Date(Math.round(ms)).toISOString()}`;
}

/**
 * §4.4.4.7: "The EXT-X-GAP tag indicates that the segment URI to which it applies does not contain
 * media data and SHOULD NOT be loaded by clients." It applies to the next segment, like EXTINF;
 * no protocol version gates it (§8), so EXT-X-VERSION stays 3.
 */
export function renderGap(): string {
  return '#EXT-X-GAP';
}

function renderSegment(s: MediaSegment): string[] {
  const lines: string[] = [];
  if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
  lines.push(renderProgramDateTime(s.programDateTimeMs));
  if (s.gap) lines.push(renderGap());
  lines.push(renderExtinf(s.durationSec), s.uri);
  return lines;
}

/** The playlist's text, lines ending in "\n". */
export function renderMediaPlaylist(pl: MediaPlaylist): string {
  const lines = renderHeader(pl);
  for (const s of pl.segments) lines.push(...renderSegment(s));
  if (pl.endList) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}
