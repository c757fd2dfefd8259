// src/hls/render.ts: renderMediaPlaylist: MediaPlaylist → m3u8 text, one small function per tag.
import type {
  LowLatency,
  MediaPart,
  MediaPlaylist,
  MediaSegment,
  OpenSegment,
} from './playlist.js';

// RFC 8216bis §6.2.1: EXT-X-VERSION SHOULD NOT exceed what the tags need. Decimal EXTINF
// durations need version 3; nothing else we write needs more, but for EXT-X-SKIP (§7: a
// delta update needs version 9).
const VERSION = 3;
const DELTA_VERSION = 9;

/** Seconds as the LL attributes carry them: up to milliseconds, no trailing zeros. */
function seconds(s: number): string {
  return String(Math.round(s * 1000) / 1000);
}

function renderHeader(pl: MediaPlaylist): string[] {
  const ll = pl.lowLatency;
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${ll && ll.skippedSegments > 0 ? DELTA_VERSION : VERSION}`,
    `#EXT-X-TARGETDURATION:${pl.targetDurationSec}`,
  ];
  if (ll) lines.push(renderServerControl(ll), renderPartInf(ll.partTargetSec));
  lines.push(
    `#EXT-X-MEDIA-SEQUENCE:${pl.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${pl.discontinuitySequence}`,
  );
  if (pl.playlistType) lines.push(`#EXT-X-PLAYLIST-TYPE:${pl.playlistType}`);
  return lines;
}

/**
 * §4.4.3.8: CAN-BLOCK-RELOAD=YES (we answer _HLS_msn/_HLS_part), PART-HOLD-BACK ("REQUIRED if
 * the Playlist contains the EXT-X-PART-INF tag"), CAN-SKIP-UNTIL (we answer _HLS_skip).
 */
export function renderServerControl(
  ll: Pick<LowLatency, 'partHoldBackSec' | 'canSkipUntilSec'>,
): string {
  return `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${seconds(ll.partHoldBackSec)},CAN-SKIP-UNTIL=${seconds(ll.canSkipUntilSec)}`;
}

/** §4.4.3.7: EXT-X-PART-INF:PART-TARGET, the longest a part may be. */
export function renderPartInf(partTargetSec: number): string {
  return `#EXT-X-PART-INF:PART-TARGET=${seconds(partTargetSec)}`;
}

/** §4.4.4.9: one part; DURATION with microseconds like EXTINF, so parts add up to their segment. */
export function renderPart(p: MediaPart): string {
  let line = `#EXT-X-PART:DURATION=${p.durationSec.toFixed(6)},URI="${p.uri}"`;
  if (p.independent) line += ',INDEPENDENT=YES';
  if (p.gap) line += ',GAP=YES';
  return line;
}

/** §4.4.5.3: the next part's URI, exactly as it will be listed. */
export function renderPreloadHint(uri: string): string {
  return `#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${uri}"`;
}

/** §4.4.5.2: the delta update's stand-in for the segments it leaves out. */
export function renderSkip(skipped: number): string {
  return `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`;
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

/** §4.4.4.9: tags that apply to the parent segment go before its first EXT-X-PART. */
function renderSegmentHead(s: MediaSegment | OpenSegment): string[] {
  const lines: string[] = [];
  if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
  lines.push(renderProgramDateTime(s.programDateTimeMs));
  for (const p of s.parts ?? []) lines.push(renderPart(p));
  return lines;
}

function renderSegment(s: MediaSegment): string[] {
  const lines = renderSegmentHead(s);
  if (s.gap) lines.push(renderGap());
  lines.push(renderExtinf(s.durationSec), s.uri);
  return lines;
}

/** The playlist's text, lines ending in "\n". */
export function renderMediaPlaylist(pl: MediaPlaylist): string {
  const lines = renderHeader(pl);
  const ll = pl.lowLatency;
  const skipped = ll?.skippedSegments ?? 0;
  if (skipped > 0) lines.push(renderSkip(skipped));
  for (const s of pl.segments.slice(skipped)) lines.push(...renderSegment(s));
  if (ll?.open && ll.open.parts.length) lines.push(...renderSegmentHead(ll.open));
  // §4.4.5.3: a playlist with EXT-X-ENDLIST MUST NOT carry a preload hint.
  if (ll?.preloadHint && !pl.endList) lines.push(renderPreloadHint(ll.preloadHint));
  if (pl.endList) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}
