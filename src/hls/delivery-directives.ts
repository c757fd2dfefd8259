// src/hls/delivery-directives.ts: the LL-HLS delivery directives (_HLS_msn, _HLS_part, _HLS_skip, RFC 8216bis §6.2.5) parsed and decided: answer now, wait for a part, or 400.
import type { LowLatencyInfo, PartPosition, SkipRequest } from './live-feed.js';

/** What the live feed is when a playlist request arrives. */
export interface FeedState {
  /** LiveFeed.lowLatency(): null means LL-HLS is off, and every directive is ignored. */
  lowLatency: LowLatencyInfo | null;
  /** LiveFeed.position(): the newest published part, null before the first. */
  position: PartPosition | null;
  /** The playlist has EXT-X-ENDLIST. */
  ended: boolean;
}

/** What to do with a playlist request. */
export type Decision =
  /** 400, with a one-line message naming the parameter. */
  | { kind: 'bad'; message: string }
  /** Answer now with playlist(skip). */
  | { kind: 'now'; skip: SkipRequest }
  /** Hold the request until isSatisfied(target, position()), then answer with playlist(skip). */
  | { kind: 'wait'; target: PartPosition; skip: SkipRequest };

const MSN = '_HLS_msn';
const PART = '_HLS_part';
const SKIP = '_HLS_skip';

/**
 * §6.2.5.2: "If the _HLS_part exceeds the last Partial Segment in the current Playlist by the
 * Advance Part Limit [...] The Advance Part Limit is three divided by the Part Target Duration if
 * the Part Target Duration is less than one second, or three otherwise." In parts (not whole).
 */
export function advancePartLimit(partTargetSec: number): number {
  return partTargetSec < 1 ? 3 / partTargetSec : 3;
}

/**
 * True once the newest published part is at or past target in (msn, part) order. §6.2.5.2: "If
 * the Client requests a Part Index greater than that of the final Partial Segment of the Parent
 * Segment, the Server MUST treat the request as one for Part Index 0 of the following Parent
 * Segment": such a target is never reached within its msn, and the first part of msn + 1 is past
 * it, so the plain order gives that rule.
 */
export function isSatisfied(target: PartPosition, position: PartPosition | null): boolean {
  if (position === null) return false;
  return position.msn > target.msn || (position.msn === target.msn && position.part >= target.part);
}

/**
 * How many parts target lies past position, counting ceil(TD / PART-TARGET) parts for each
 * segment not yet begun (the exact count of a segment is only known once it is cut); the segment
 * in progress has at least as many parts as it already published.
 */
export function partsAhead(
  position: PartPosition,
  target: PartPosition,
  info: LowLatencyInfo,
): number {
  if (target.msn <= position.msn) {
    return target.msn === position.msn ? target.part - position.part : -Infinity;
  }
  const perSegment = Math.ceil(info.targetDurationSec / info.partTargetSec);
  const restOfCurrent = Math.max(perSegment, position.part + 1) - position.part;
  return restOfCurrent + (target.msn - position.msn - 1) * perSegment + target.part;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The one value of name, or undefined; twice is an error (which one would we honour?). */
function single(query: URLSearchParams, name: string): Parsed<string | undefined> {
  const all = query.getAll(name);
  if (all.length > 1) return { ok: false, message: `${name} is given more than once` };
  return { ok: true, value: all[0] };
}

/**
 * §6.2.5.2: "_HLS_msn=<M> [...] where M is a decimal-integer"; a decimal-integer (§4.2) is
 * digits only, so no sign, no fraction, no blanks. Past 2^53 we cannot count exactly, and such a
 * value is past every limit below anyway.
 */
function decimalInteger(query: URLSearchParams, name: string): Parsed<number | undefined> {
  const s = single(query, name);
  if (!s.ok) return s;
  if (s.value === undefined) return { ok: true, value: undefined };
  if (!/^[0-9]+$/.test(s.value)) {
    return {
      ok: false,
      message: `${name} must be a decimal integer, not ${JSON.stringify(s.value)}`,
    };
  }
  const n = Number(s.value);
  if (!Number.isSafeInteger(n)) return { ok: false, message: `${name} ${s.value} is out of range` };
  return { ok: true, value: n };
}

/** §6.2.5.1: "_HLS_skip=YES" or "_HLS_skip=v2"; anything else is a malformed request. */
function skipValue(query: URLSearchParams): Parsed<SkipRequest> {
  const s = single(query, SKIP);
  if (!s.ok) return s;
  if (s.value === undefined) return { ok: true, value: 'no' };
  if (s.value === 'YES' || s.value === 'v2') return { ok: true, value: s.value };
  return { ok: false, message: `${SKIP} must be YES or v2, not ${JSON.stringify(s.value)}` };
}

/** Decides a playlist request from its query (the part of the URL after '?') and the feed now. */
export function decideDirectives(query: URLSearchParams, state: FeedState): Decision {
  const info = state.lowLatency;
  // Without LL-HLS we advertise neither CAN-BLOCK-RELOAD nor CAN-SKIP-UNTIL: the _HLS_ names are
  // reserved, but a client has no reason to send them, so they are ignored rather than refused.
  // §6.2.5.1 and §6.2.5.2: "A Server MUST ignore _HLS_msn and _HLS_part if the Playlist contains
  // an EXT-X-ENDLIST tag", and likewise _HLS_skip.
  if (info === null || state.ended) return { kind: 'now', skip: 'no' };
  const msn = decimalInteger(query, MSN);
  if (!msn.ok) return { kind: 'bad', message: msn.message };
  const part = decimalInteger(query, PART);
  if (!part.ok) return { kind: 'bad', message: part.message };
  const skipped = skipValue(query);
  if (!skipped.ok) return { kind: 'bad', message: skipped.message };
  // §6.2.5.1: "A Server MUST ignore the _HLS_skip directive if the Playlist does not contain
  // the CAN-SKIP-UNTIL attribute".
  const skip = info.canSkipUntilSec > 0 ? skipped.value : 'no';
  // §6.2.5.2: "If the Playlist URI contains an _HLS_part directive but no _HLS_msn directive,
  // the Server MUST return Bad Request, such as HTTP 400."
  if (msn.value === undefined) {
    return part.value === undefined
      ? { kind: 'now', skip }
      : { kind: 'bad', message: `${PART} needs ${MSN}` };
  }
  // §6.2.5.2 asks, for _HLS_msn alone, for "a Media Segment with a Media Sequence Number of M or
  // later"; in a playlist with parts, segment M is there once its first part is, and Safari sends
  // _HLS_msn alone to mean that part: we wait for part 0 of M.
  const target: PartPosition = { msn: msn.value, part: part.value ?? 0 };
  const pos = state.position;
  // Before the first part there is no "last segment" to count from: wait (503 after 3 × TD).
  if (pos === null) return { kind: 'wait', target, skip };
  if (isSatisfied(target, pos)) return { kind: 'now', skip };
  // §6.2.5.2: "If the _HLS_msn is greater than the Media Sequence Number of the last Media
  // Segment in the current Playlist plus two [...] the server SHOULD immediately return Bad
  // Request". The last segment is taken as the parent of the newest part, which may still be in
  // progress: one more than the strict reading, so we never refuse what a player may fairly ask.
  if (target.msn > pos.msn + 2) {
    return {
      kind: 'bad',
      message: `${MSN}=${target.msn} is more than two segments past the last one (${pos.msn})`,
    };
  }
  if (part.value !== undefined) {
    const limit = advancePartLimit(info.partTargetSec);
    const ahead = partsAhead(pos, target, info);
    if (ahead > limit) {
      return {
        kind: 'bad',
        message: `${PART}=${target.part} of ${MSN}=${target.msn} is ${ahead} parts past the newest part (${pos.msn}.${pos.part}); the limit is ${+limit.toFixed(3)}`,
      };
    }
  }
  return { kind: 'wait', target, skip };
}
