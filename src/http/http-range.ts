// src/http/http-range.ts: the Range and conditional-request rules of RFC 9110 for one immutable representation (pure: headers in, a decision out).

/** What to send for a GET or HEAD of a representation of `size` bytes. */
export type Answer =
  { status: 200 } | { status: 206; start: number; end: number } | { status: 304 } | { status: 416 };

/** The validators of the representation. */
export interface Validators {
  /** A strong entity tag, quotes included. */
  etag: string;
  /** Last-Modified, as an IMF-fixdate. */
  lastModified: string;
  /** The same time in ms, whole seconds (IMF-fixdate has no fraction). */
  lastModifiedMs: number;
}

/** The request headers this module reads. */
export interface ConditionalHeaders {
  'if-none-match'?: string;
  'if-modified-since'?: string;
  range?: string;
  'if-range'?: string;
}

/** A single byte range, or why there is none. */
export type RangeSpec =
  { kind: 'none' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

const DIGITS = /^\d+$/;

/**
 * RFC 9110 §14.1.2: `bytes=first-last`, `bytes=first-` and `bytes=-suffix`. "A server MAY ignore
 * the Range header field" (§14.2): a header that does not parse, names another unit or asks for
 * several ranges is ignored (the whole representation, 200). "If all of the preconditions are true,
 * the server supports the Range header field for the target resource, and the specified range(s)
 * are invalid or unsatisfiable, the server SHOULD send a 416 (Range Not Satisfiable) response"
 * (§14.2); a range is satisfiable when its first-pos is below the length, or it is a suffix of
 * non-zero length (§14.1.1). A last-pos past the end means the end.
 */
export function parseRange(header: string | undefined, size: number): RangeSpec {
  if (header === undefined) return { kind: 'none' };
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'none' };
  const spec = header.slice(eq + 1).trim();
  if (spec.includes(',')) return { kind: 'none' };
  const dash = spec.indexOf('-');
  if (dash < 0) return { kind: 'none' };
  const first = spec.slice(0, dash).trim();
  const last = spec.slice(dash + 1).trim();
  if (first === '') {
    if (!DIGITS.test(last)) return { kind: 'none' };
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 };
  }
  if (!DIGITS.test(first) || (last !== '' && !DIGITS.test(last))) return { kind: 'none' };
  const start = Number(first);
  // "A range-spec is invalid if the last-pos value is present and less than the first-pos" (§14.1.1).
  if (last !== '' && Number(last) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'range', start, end };
}

/** RFC 9110 §8.8.3.2 weak comparison of one tag against an If-None-Match list (`*` matches any). */
export function matchesAny(list: string, etag: string): boolean {
  if (list.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  for (const item of list.split(',')) {
    if (item.trim().replace(/^W\//, '') === opaque) return true;
  }
  return false;
}

/** Seconds-resolution time of an HTTP-date, or NaN. */
function httpDateMs(value: string): number {
  return Date.parse(value);
}

/**
 * The answer to a GET (head false) or HEAD of one representation, by RFC 9110 §13.2.2's order:
 * If-None-Match (304 when any tag matches, weak comparison), else If-Modified-Since (304 when not
 * modified since); then, for GET only ("GET is the only method for which range handling is
 * defined", §14.2), Range, unless If-Range names another validator: an entity tag must match
 * strongly, a date exactly (§13.1.5).
 */
export function answerFor(
  h: ConditionalHeaders,
  v: Validators,
  size: number,
  head: boolean,
): Answer {
  const inm = h['if-none-match'];
  if (inm !== undefined) {
    if (matchesAny(inm, v.etag)) return { status: 304 };
  } else if (h['if-modified-since'] !== undefined) {
    const since = httpDateMs(h['if-modified-since']);
    if (Number.isFinite(since) && v.lastModifiedMs <= since) return { status: 304 };
  }
  if (head || h.range === undefined) return { status: 200 };
  const ifRange = h['if-range'];
  if (ifRange !== undefined) {
    const t = ifRange.trim();
    const same = t.startsWith('"') ? t === v.etag : httpDateMs(t) === v.lastModifiedMs;
    if (!same) return { status: 200 };
  }
  const r = parseRange(h.range, size);
  if (r.kind === 'none') return { status: 200 };
  if (r.kind === 'unsatisfiable') return { status: 416 };
  return { status: 206, start: r.start, end: r.end };
}
