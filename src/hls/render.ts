// src/hls/render.ts: renderMediaPlaylist: MediaPlaylist → m3u8 text, one small function per tag.
import type {
  DateRange,
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
// §8: "A Playlist MUST indicate an EXT-X-VERSION of 10 or higher if it contains: An EXT-X-SKIP
// tag that replaces EXT-X-DATERANGE tags in a Playlist Delta Update."
const DATERANGE_DELTA_VERSION = 10;

/** Seconds as the LL attributes carry them: up to milliseconds, no trailing zeros. */
function seconds(s: number): string {
  return String(Math.round(s * 1000) / 1000);
}

function versionOf(ll: LowLatency | null | undefined): number {
  if (!ll || ll.skippedSegments <= 0) return VERSION;
  return ll.recentlyRemovedDateRanges ? DATERANGE_DELTA_VERSION : DELTA_VERSION;
}

function renderHeader(pl: MediaPlaylist): string[] {
  const ll = pl.lowLatency;
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${versionOf(ll)}`,
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
  ll: Pick<LowLatency, 'partHoldBackSec' | 'canSkipUntilSec' | 'canSkipDateRanges'>,
): string {
  // §4.4.3.8: CAN-SKIP-DATERANGES=YES "REQUIRES the presence of CAN-SKIP-UNTIL", written before it.
  const dateRanges = ll.canSkipDateRanges ? ',CAN-SKIP-DATERANGES=YES' : '';
  return `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${seconds(ll.partHoldBackSec)},CAN-SKIP-UNTIL=${seconds(ll.canSkipUntilSec)}${dateRanges}`;
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

/**
 * §4.4.5.2: the delta update's stand-in for the segments it leaves out. RECENTLY-REMOVED-DATERANGES
 * is "a quoted-string consisting of a tab (0x9) delimited list" of IDs, REQUIRED when the update
 * skips EXT-X-DATERANGE tags (v2), and written only then.
 */
export function renderSkip(skipped: number, removed?: readonly string[] | null): string {
  const ranges = removed ? `,RECENTLY-REMOVED-DATERANGES="${removed.join('\t')}"` : '';
  return `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}${ranges}`;
}

/**
 * §4.4.5.1: ID, CLASS, START-DATE, then END-DATE and DURATION once the range ended ("If a Date
 * Range contains both a DURATION attribute and an END-DATE attribute, the value of the END-DATE
 * attribute MUST be equal to the value of the START-DATE attribute plus the value of the
 * DURATION attribute": both come from the same whole milliseconds), then the X- attributes.
 */
export function renderDateRange(r: DateRange): string {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const attrs = [`ID="${r.id}"`, `CLASS="${r.className}"`, `START-DATE="${iso(r.startMs)}"`];
  if (r.endMs !== null) {
    attrs.push(`END-DATE="${iso(r.endMs)}"`, `DURATION=${seconds((r.endMs - r.startMs) / 1000)}`);
  }
  for (const a of r.attributes) attrs.push(`${a.name}=${a.quoted ? `"${a.value}"` : a.value}`);
  return `#EXT-X-DATERANGE:${attrs.join(',')}`;
}

/** EXTINF with microsecond precision so summed durations do not drift (§4.4.4.1). */
export function renderExtinf(durationSec: number): string {
  return `#EXTINF:${durationSec.toFixed(6)},`;
}

const DAY_MS = 86_400_000;
/** The UTC day isoMs() last formatted: its first millisecond and its "YYYY-MM-DDT". */
let dayStartMs = NaN;
let dayPrefix = '';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Date.prototype.toISOString() of whole milliseconds ms, with the date part kept from the last
 * call on the same UTC day: a 10 h VOD playlist dates 18,000 segments, and toISOString() per
 * segment was a third of its rendering (perf, 10 h batch).
 */
export function isoMs(ms: number): string {
  if (!(ms >= dayStartMs && ms < dayStartMs + DAY_MS)) {
    const iso = new Date(ms).toISOString();
    dayStartMs = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    dayPrefix = iso.slice(0, iso.indexOf('T') + 1);
  }
  const t = ms - dayStartMs;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const sec = Math.floor(t / 1000) % 60;
  return `${dayPrefix}${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}.${pad(t % 1000, 3)}Z`;
}

/** ISO 8601 with milliseconds and a time zone (§4.4.4.6). */
export function renderProgramDateTime(ms: number): string {
  return `#EXT-X-PROGRAM-DATE-TIME:${isoMs(Math.round(ms))}`;
}

/**
 * §4.4.4.7: "The EXT-X-GAP tag indicates that the segment URI to which it applies does not contain
 * media data and SHOULD NOT be loaded by clients." It applies to the next segment, like EXTINF;
 * no protocol version gates it (§8), so EXT-X-VERSION stays 3.
 */
export function renderGap(): string {
  return '#EXT-X-GAP';
}

/**
 * §4.4.4.9: tags that apply to the parent segment go before its first EXT-X-PART. Lines each end
 * in "\n", in one string rather than an array: VOD playlists list 18,000 segments.
 */
function renderSegmentHead(s: MediaSegment | OpenSegment): string {
  let out = s.discontinuity ? '#EXT-X-DISCONTINUITY\n' : '';
  out += renderProgramDateTime(s.programDateTimeMs) + '\n';
  if (s.parts) for (const p of s.parts) out += renderPart(p) + '\n';
  return out;
}

/** One segment's lines, each ending in "\n". */
function renderSegment(s: MediaSegment): string {
  const gap = s.gap ? renderGap() + '\n' : '';
  return renderSegmentHead(s) + gap + renderExtinf(s.durationSec) + '\n' + s.uri + '\n';
}

/** The playlist's text, lines ending in "\n". */
export function renderMediaPlaylist(pl: MediaPlaylist): string {
  const lines = renderHeader(pl);
  const ll = pl.lowLatency;
  const skipped = ll?.skippedSegments ?? 0;
  if (skipped > 0) lines.push(renderSkip(skipped, ll?.recentlyRemovedDateRanges));
  for (const r of pl.dateRanges ?? []) lines.push(renderDateRange(r));
  // One string grown segment by segment: pushing each segment's lines into one array cost more
  // than the lines themselves on an 18,000-segment VOD playlist.
  let text = lines.join('\n') + '\n';
  const segments = pl.segments;
  for (let i = skipped; i < segments.length; i++) text += renderSegment(segments[i]);
  if (ll?.open && ll.open.parts.length) text += renderSegmentHead(ll.open);
  // §4.4.5.3: a playlist with EXT-X-ENDLIST MUST NOT carry a preload hint.
  if (ll?.preloadHint && !pl.endList) text += renderPreloadHint(ll.preloadHint) + '\n';
  if (pl.endList) text += '#EXT-X-ENDLIST\n';
  return text;
}
