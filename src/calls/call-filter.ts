// src/calls/call-filter.ts: GET /api/calls query parameters → a checked filter → SQL and its parameters, and the opaque page cursor (pure).

/** What a call list or export is narrowed to. Every field is optional; all given must hold. */
export interface CallFilter {
  /** Calls that started at or after this time (ms since the epoch). */
  sinceMs?: number;
  /** Calls that started before this time. */
  untilMs?: number;
  talkgroup?: string;
  channel?: number;
  /** Exact frequency in Hz (the query gives MHz). */
  freqHz?: number;
  /** Exact label, case-insensitive. */
  label?: string;
  /** Text found anywhere in the label or talkgroup, case-insensitive. */
  q?: string;
}

/** A page of a call list: the filter, the page size and where the previous page ended. */
export interface CallQuery extends CallFilter {
  limit: number;
  /** Only calls older than this id (the last id of the previous page). */
  beforeId?: number;
}

/** A query that names a bad parameter: its message is one line for the 400 body. */
export class FilterError extends Error {}

/** Page size when none is asked for, and the largest allowed. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

const FILTER_PARAMS = ['since', 'until', 'talkgroup', 'channel', 'frequency', 'label', 'q'];
const MAX_TEXT = 200;

/** ISO 8601 date-time with a zone (Z or ±hh:mm), or a bare date. */
const ISO_RE =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

function isoMs(name: string, v: string): number {
  const ms = ISO_RE.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) {
    throw new FilterError(
      `invalid ${name} ${JSON.stringify(v)}: must be an ISO 8601 date-time such as 2026-12-02T06:54:51Z`,
    );
  }
  return ms;
}

function text(name: string, v: string): string {
  const s = v.trim();
  if (s === '' || s.length > MAX_TEXT || [...s].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new FilterError(`invalid ${name}: must be 1 to ${MAX_TEXT} printable characters`);
  }
  return s;
}

function intIn(name: string, v: string, min: number, max: number): number {
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new FilterError(
      `invalid ${name} ${JSON.stringify(v)}: must be an integer from ${min} to ${max}`,
    );
  }
  return n;
}

function megahertz(v: string): number {
  const mhz = /^\d{1,5}(?:\.\d{1,6})?$/.test(v) ? Number(v) : NaN;
  if (!(mhz > 0)) {
    throw new FilterError(
      `invalid frequency ${JSON.stringify(v)}: must be in MHz with up to 6 decimals, e.g. 154.415`,
    );
  }
  return Math.round(mhz * 1e6);
}

/**
 * Reads and checks the query. A parameter that is unknown, repeated or out of range is a
 * FilterError naming it. `extra` lists further parameters the caller reads itself (export: format).
 */
export function parseCallQuery(params: URLSearchParams, extra: readonly string[] = []): CallQuery {
  const known = new Set([...FILTER_PARAMS, 'limit', 'cursor', ...extra]);
  const seen = new Set<string>();
  const q: CallQuery = { limit: DEFAULT_LIMIT };
  for (const [name, value] of params) {
    if (!known.has(name)) throw new FilterError(`unknown parameter ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new FilterError(`parameter ${name} is given more than once`);
    seen.add(name);
    if (name === 'since') q.sinceMs = isoMs(name, value);
    else if (name === 'until') q.untilMs = isoMs(name, value);
    else if (name === 'talkgroup') q.talkgroup = text(name, value);
    else if (name === 'channel') q.channel = intIn(name, value, 0, 1_000_000);
    else if (name === 'frequency') q.freqHz = megahertz(value);
    else if (name === 'label') q.label = text(name, value);
    else if (name === 'q') q.q = text(name, value);
    else if (name === 'limit') q.limit = intIn(name, value, 1, MAX_LIMIT);
    else if (name === 'cursor') q.beforeId = decodeCursor(value);
  }
  if (q.sinceMs !== undefined && q.untilMs !== undefined && q.untilMs <= q.sinceMs) {
    throw new FilterError('invalid until: must be later than since');
  }
  return q;
}

/** A SQL WHERE clause (without the keyword; "1" for none) and its positional parameters. */
export interface SqlWhere {
  where: string;
  params: (string | number)[];
}

/** LIKE pattern for text anywhere, with %, _ and the escape character taken literally. */
function containing(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The filter as SQL over the calls table. Each condition can use an index: the primary key for
 * time and cursor (id is the start in ms), and (talkgroup, id), (channel, id), (freq, id),
 * (label COLLATE NOCASE, id) for the rest, which also give the newest-first order.
 */
export function filterSql(f: CallFilter & { beforeId?: number }): SqlWhere {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: string, ...p: (string | number)[]): void => {
    where.push(sql);
    params.push(...p);
  };
  if (f.sinceMs !== undefined) add('id >= ?', f.sinceMs);
  if (f.untilMs !== undefined) add('id < ?', f.untilMs);
  if (f.beforeId !== undefined) add('id < ?', f.beforeId);
  if (f.talkgroup !== undefined) add('talkgroup = ?', f.talkgroup);
  if (f.channel !== undefined) add('channel = ?', f.channel);
  if (f.freqHz !== undefined) add('freq = ?', f.freqHz);
  if (f.label !== undefined) add('label = ? COLLATE NOCASE', f.label);
  if (f.q !== undefined) {
    const like = containing(f.q);
    add("(label LIKE ? ESCAPE '\\' OR talkgroup LIKE ? ESCAPE '\\')", like, like);
  }
  return { where: where.length ? where.join(' AND ') : '1', params };
}

const CURSOR_PREFIX = 'c1.';

/**
 * The cursor after a page: the last id shown, opaque to clients (base64url). Pages follow the
 * primary key downwards, so calls recorded while a client pages never shift what comes next.
 */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${lastId}`).toString('base64url');
}

/** The id a cursor stands for; FilterError for anything encodeCursor did not make. */
export function decodeCursor(cursor: string): number {
  const raw = /^[A-Za-z0-9_-]{1,40}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString()
    : '';
  const id = raw.startsWith(CURSOR_PREFIX) ? Number(raw.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(id) || id < 0 || encodeCursor(id) !== cursor) {
    throw new FilterError('invalid cursor: pass the "next" value of the previous page unchanged');
  }
  return id;
}
