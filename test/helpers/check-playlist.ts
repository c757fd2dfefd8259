// test/helpers/check-playlist.ts: an independent oracle for media playlists: parses m3u8 text and lists the RFC 8216bis rules it breaks.
import { checkLowLatency, type LowLatencyRule } from './check-ll.js';

/** A rule the oracle checks; each names the RFC 8216bis section that states it. */
export type PlaylistRule =
  /** §4.1, §4.4.1.1: the first line is #EXTM3U. */
  | 'extm3u-first'
  /** §4.4.1.2: EXT-X-VERSION is present (we always write it), once, a decimal-integer. */
  | 'version'
  /** §4.4.4.1: decimal EXTINF durations need version 3 or more. */
  | 'version-too-low'
  /** §4.4.3.1: EXT-X-TARGETDURATION is present, once, a decimal-integer. */
  | 'target-duration'
  /** §4.4.3.1: each EXTINF rounded to the nearest integer is ≤ the target duration. */
  | 'extinf-over-target'
  /** §4.4.4.1: EXTINF is #EXTINF:<decimal-floating-point>,[title]. */
  | 'extinf-syntax'
  /** §4.4.3.2: EXT-X-MEDIA-SEQUENCE, at most once, a decimal-integer, before the first segment. */
  | 'media-sequence'
  /** §4.4.3.3: EXT-X-DISCONTINUITY-SEQUENCE, at most once, a decimal-integer, before the first segment. */
  | 'discontinuity-sequence'
  /** §4.4.4.1: every Media Segment has an EXTINF (a URI line must be preceded by one). */
  | 'uri-without-extinf'
  /** §4.4.4: segment tags apply to the next URI; tags after the last URI apply to nothing. */
  | 'dangling-segment-tags'
  /** §6.2.1 (URIs identify segments; a reused URI would be served from caches): no URI twice. */
  | 'duplicate-uri'
  /** §4.4.4.6: EXT-X-PROGRAM-DATE-TIME is an ISO 8601 date-time with a time zone. */
  | 'program-date-time'
  /** §4.4.4.7: EXT-X-GAP applies to a segment, which has an EXTINF. */
  | 'gap-without-extinf'
  /** §6.2.1/§6.2.2: a live playlist has no EXT-X-PLAYLIST-TYPE:VOD. */
  | 'live-vod-type'
  /** §6.2.2: a live playlist has no EXT-X-ENDLIST until its stream has ended. */
  | 'live-endlist'
  /** §4.4.3.5, §6.2.1: a VOD playlist (PLAYLIST-TYPE:VOD, or opts.live false) ends with EXT-X-ENDLIST. */
  | 'vod-without-endlist'
  /** §4.4.3.4: EXT-X-ENDLIST is the last tag and appears once. */
  | 'endlist-not-last'
  /** §6.2.2: a live playlist of 3 or more segments lasts at least 3 × the target duration. */
  | 'live-too-short'
  /** §4.4.3.5: EXT-X-PLAYLIST-TYPE is EVENT or VOD. */
  | 'playlist-type'
  /** §4.4.5.1: EXT-X-DATERANGE has a quoted ID and START-DATE, valid DURATION/END-DATE and X- attributes. */
  | 'daterange-syntax'
  /** §4.4.5.1: END-DATE is not before START-DATE, and equals START-DATE + DURATION when both are given. */
  | 'daterange-end'
  /** §4.4.5.1: a playlist with EXT-X-DATERANGE "MUST also contain at least one EXT-X-PROGRAM-DATE-TIME tag". */
  | 'daterange-pdt'
  /** §4.4.5.1: two tags with one ID give any attribute they share the same value. */
  | 'daterange-same-id'
  /** The Low-Latency rules (check-ll.ts), checked when the playlist has LL tags. */
  | LowLatencyRule;

/** One broken rule, with the 1-based line it was found on (0 for the playlist as a whole). */
export interface PlaylistViolation {
  rule: PlaylistRule;
  line: number;
  message: string;
}

/** What the checker should assume about the playlist. */
export interface CheckOptions {
  /** true: a live playlist (no VOD type; ENDLIST only if ended). false: a VOD. Default: VOD iff PLAYLIST-TYPE:VOD. */
  live?: boolean;
  /** With live: the stream has ended, so EXT-X-ENDLIST is allowed. */
  ended?: boolean;
  /** An audio-only stream: every LL part must be INDEPENDENT=YES. */
  audio?: boolean;
}

const DECIMAL_INTEGER = /^(0|[1-9][0-9]{0,19})$/;
const DECIMAL_FLOAT = /^[0-9]+(\.[0-9]+)?$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses a media playlist and returns every rule it breaks (empty when it is fine). */
export function checkMediaPlaylist(text: string, opts: CheckOptions = {}): PlaylistViolation[] {
  const out: PlaylistViolation[] = [];
  const add = (rule: PlaylistRule, line: number, message: string): void => {
    out.push({ rule, line, message });
  };
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines[0] !== '#EXTM3U') add('extm3u-first', 1, 'the first line must be #EXTM3U');

  const seen = new Map<string, number>(); // once-only playlist tags → count
  let version: number | null = null;
  let target: number | null = null;
  let vodType = false;
  let endlistLine = 0;
  let lastTagLine = 0;
  let lastUriLine = 0;
  const durations: { line: number; sec: number; text: string }[] = [];
  const uris = new Map<string, number>();
  let segments = 0;
  let total = 0;
  // State of the segment being described (tags since the last URI).
  let pendingExtinf: number | null = null;
  let pendingGap = 0;
  let pendingTags = 0;
  let openParts = 0;
  const dateRanges: { line: number; value: string }[] = [];

  const once = (name: string, rule: PlaylistRule, n: number): boolean => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count > 1) add(rule, n, `${name} appears more than once`);
    return count === 1;
  };
  const beforeFirstSegment = (name: string, rule: PlaylistRule, n: number): void => {
    if (segments > 0 || pendingTags > 0) add(rule, n, `${name} must come before the first segment`);
  };

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i].trim();
    if (line === '') continue;
    if (!line.startsWith('#')) {
      // A URI: it ends the segment described by the tags before it.
      if (pendingExtinf === null) add('uri-without-extinf', n, `${line} has no EXTINF`);
      if (pendingGap > 0 && pendingExtinf === null)
        add('gap-without-extinf', pendingGap, `EXT-X-GAP before ${line} has no EXTINF`);
      const dup = uris.get(line);
      if (dup !== undefined)
        add('duplicate-uri', n, `${line} is listed twice (first on line ${dup})`);
      else uris.set(line, n);
      segments++;
      lastUriLine = n;
      pendingExtinf = null;
      pendingGap = 0;
      pendingTags = 0;
      openParts = 0;
      continue;
    }
    if (!line.startsWith('#EXT')) continue; // a comment
    lastTagLine = n;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1);
    switch (name) {
      case '#EXTM3U':
        if (i !== 0 && lines[0] === '#EXTM3U') add('extm3u-first', n, '#EXTM3U appears again');
        break;
      case '#EXT-X-VERSION':
        if (once(name, 'version', n)) {
          if (DECIMAL_INTEGER.test(value)) version = Number(value);
          else add('version', n, `EXT-X-VERSION ${JSON.stringify(value)} is not a decimal-integer`);
        }
        break;
      case '#EXT-X-TARGETDURATION':
        beforeFirstSegment(name, 'target-duration', n);
        if (once(name, 'target-duration', n)) {
          if (DECIMAL_INTEGER.test(value)) target = Number(value);
          else
            add(
              'target-duration',
              n,
              `EXT-X-TARGETDURATION ${JSON.stringify(value)} is not a decimal-integer`,
            );
        }
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
        beforeFirstSegment(name, 'media-sequence', n);
        if (once(name, 'media-sequence', n) && !DECIMAL_INTEGER.test(value)) {
          add(
            'media-sequence',
            n,
            `EXT-X-MEDIA-SEQUENCE ${JSON.stringify(value)} is not a decimal-integer`,
          );
        }
        break;
      case '#EXT-X-DISCONTINUITY-SEQUENCE':
        beforeFirstSegment(name, 'discontinuity-sequence', n);
        if (once(name, 'discontinuity-sequence', n) && !DECIMAL_INTEGER.test(value)) {
          add(
            'discontinuity-sequence',
            n,
            `EXT-X-DISCONTINUITY-SEQUENCE ${JSON.stringify(value)} is not a decimal-integer`,
          );
        }
        break;
      case '#EXT-X-PLAYLIST-TYPE':
        if (value === 'VOD') vodType = true;
        else if (value !== 'EVENT')
          add('playlist-type', n, `EXT-X-PLAYLIST-TYPE ${JSON.stringify(value)}`);
        break;
      case '#EXT-X-ENDLIST':
        if (endlistLine) add('endlist-not-last', n, 'EXT-X-ENDLIST appears twice');
        else endlistLine = n;
        break;
      case '#EXTINF': {
        pendingTags++;
        const m = /^([^,]*),(.*)$/.exec(value);
        const sec = m && DECIMAL_FLOAT.test(m[1]) ? Number(m[1]) : NaN;
        if (!Number.isFinite(sec)) {
          add('extinf-syntax', n, `EXTINF ${JSON.stringify(value)} is not <duration>,[title]`);
          pendingExtinf = 0;
          break;
        }
        pendingExtinf = sec;
        durations.push({ line: n, sec, text: m?.[1] ?? '' });
        total += sec;
        break;
      }
      case '#EXT-X-PROGRAM-DATE-TIME':
        pendingTags++;
        if (!ISO_DATE_TIME.test(value) || !Number.isFinite(Date.parse(value))) {
          add(
            'program-date-time',
            n,
            `EXT-X-PROGRAM-DATE-TIME ${JSON.stringify(value)} is not an ISO 8601 date-time with a zone`,
          );
        }
        break;
      case '#EXT-X-GAP':
        pendingTags++;
        pendingGap = n;
        break;
      case '#EXT-X-DATERANGE':
        dateRanges.push({ line: n, value });
        break;
      case '#EXT-X-PART':
        // The open segment (LL-HLS): its tags and parts come before its EXTINF exists.
        openParts = n;
        break;
      case '#EXT-X-DISCONTINUITY':
      case '#EXT-X-BYTERANGE':
      case '#EXT-X-KEY':
      case '#EXT-X-MAP':
      case '#EXT-X-BITRATE':
        pendingTags++;
        break;
      default:
        break;
    }
  }

  if (pendingTags > 0 && (openParts === 0 || pendingExtinf !== null))
    add('dangling-segment-tags', lastTagLine, 'segment tags after the last URI');
  if (pendingGap > 0 && pendingTags > 0 && pendingExtinf === null) {
    add('gap-without-extinf', pendingGap, 'EXT-X-GAP applies to no segment');
  }
  if (!seen.has('#EXT-X-VERSION')) add('version', 0, 'EXT-X-VERSION is missing');
  if (!seen.has('#EXT-X-TARGETDURATION'))
    add('target-duration', 0, 'EXT-X-TARGETDURATION is missing');
  if (target !== null) {
    for (const d of durations) {
      if (Math.round(d.sec) > target) {
        add(
          'extinf-over-target',
          d.line,
          `EXTINF ${d.text} rounds to more than the target duration ${target}`,
        );
      }
    }
  }
  if (version !== null && version < 3 && durations.some((d) => d.text.includes('.'))) {
    add('version-too-low', 0, `decimal EXTINF durations need EXT-X-VERSION 3, not ${version}`);
  }
  if (endlistLine && (lastTagLine > endlistLine || lastUriLine > endlistLine)) {
    add('endlist-not-last', endlistLine, 'tags or segments follow EXT-X-ENDLIST');
  }
  const live = opts.live ?? !vodType;
  if (live) {
    if (vodType) add('live-vod-type', 0, 'a live playlist must not say EXT-X-PLAYLIST-TYPE:VOD');
    if (endlistLine && !opts.ended)
      add('live-endlist', endlistLine, 'a live playlist has EXT-X-ENDLIST before its stream ended');
    if (!endlistLine && target !== null && segments >= 3 && total < 3 * target - 1e-9) {
      add(
        'live-too-short',
        0,
        `${segments} segments last ${total.toFixed(6)} s, less than 3 × target duration (${3 * target} s)`,
      );
    }
  } else if (!endlistLine) {
    add('vod-without-endlist', 0, 'a VOD playlist must end with EXT-X-ENDLIST');
  }
  const hasPdt = text.includes('#EXT-X-PROGRAM-DATE-TIME:');
  for (const v of checkDateRanges(dateRanges, hasPdt)) out.push(v);
  for (const v of checkLowLatency(text, { audio: opts.audio })) out.push(v);
  return out;
}

/** An attribute list as name → raw value (quotes kept, so quoted-strings can be told apart). */
export function attributeList(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of value.matchAll(/([A-Z0-9-]+)=("[^"\r\n]*"|[^,]*)/g)) out.set(m[1], m[2]);
  return out;
}

const QUOTED = /^"[^"\r\n]*"$/;
const HEX = /^0[xX][0-9A-Fa-f]+$/;
const SIGNED_FLOAT = /^-?[0-9]+(\.[0-9]+)?$/;

/** The EXT-X-DATERANGE rules of §4.4.5.1 over the tags of one playlist. */
function checkDateRanges(
  tags: { line: number; value: string }[],
  hasPdt: boolean,
): PlaylistViolation[] {
  const out: PlaylistViolation[] = [];
  const add = (rule: PlaylistRule, line: number, message: string): void => {
    out.push({ rule, line, message });
  };
  if (tags.length && !hasPdt)
    add('daterange-pdt', tags[0].line, 'EXT-X-DATERANGE without any EXT-X-PROGRAM-DATE-TIME');
  const byId = new Map<string, Map<string, string>>();
  for (const { line, value } of tags) {
    const a = attributeList(value);
    const id = a.get('ID');
    const start = a.get('START-DATE');
    if (!id || !QUOTED.test(id)) add('daterange-syntax', line, 'ID is not a quoted-string');
    if (!start || !QUOTED.test(start) || !ISO_DATE_TIME.test(start.slice(1, -1)))
      add('daterange-syntax', line, `START-DATE ${start ?? '(none)'} is not a quoted ISO date`);
    const cls = a.get('CLASS');
    if (cls !== undefined && !QUOTED.test(cls))
      add('daterange-syntax', line, 'CLASS is not a quoted-string');
    const duration = a.get('DURATION');
    if (duration !== undefined && !DECIMAL_FLOAT.test(duration))
      add('daterange-syntax', line, `DURATION ${duration} is not a non-negative decimal`);
    const end = a.get('END-DATE');
    if (end !== undefined && (!QUOTED.test(end) || !ISO_DATE_TIME.test(end.slice(1, -1))))
      add('daterange-syntax', line, `END-DATE ${end} is not a quoted ISO date`);
    for (const [name, v] of a) {
      if (!name.startsWith('X-')) continue;
      if (!/^X-[A-Z0-9-]+$/.test(name) || !(QUOTED.test(v) || HEX.test(v) || SIGNED_FLOAT.test(v)))
        add('daterange-syntax', line, `client attribute ${name}=${v}`);
    }
    const startMs = start ? Date.parse(start.slice(1, -1)) : NaN;
    const endMs = end ? Date.parse(end.slice(1, -1)) : NaN;
    if (Number.isFinite(endMs) && endMs < startMs)
      add('daterange-end', line, 'END-DATE is before START-DATE');
    if (Number.isFinite(endMs) && duration !== undefined) {
      const want = startMs + Number(duration) * 1000;
      if (Math.abs(want - endMs) > 0.5)
        add('daterange-end', line, `END-DATE is not START-DATE + DURATION (${duration} s)`);
    }
    if (!id) continue;
    const prev = byId.get(id);
    if (!prev) {
      byId.set(id, a);
      continue;
    }
    for (const [name, v] of a) {
      const p = prev.get(name);
      if (p !== undefined && p !== v)
        add('daterange-same-id', line, `${id}: ${name} is ${v} here, ${p} before`);
    }
  }
  return out;
}

/** The rules broken, in the order found, for compact assertions. */
export function brokenRules(text: string, opts?: CheckOptions): PlaylistRule[] {
  return checkMediaPlaylist(text, opts).map((v) => v.rule);
}
