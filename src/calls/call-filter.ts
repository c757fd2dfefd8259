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
  /** Text (3 characters or more) found anywhere in the label or talkgroup, case-insensitive. */
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

/** Text search needs this many characters (the trigram index's unit). */
export const TRIGRAM_MIN = 3;

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

/**
 * Text search needs TRIGRAM_MIN characters: the trigram index finds nothing shorter, and a
 * scan of every call for one or two letters is what would break the 20 ms bound at 100,000 calls.
 */
function searchText(v: string): string {
  const s = text('q', v);
  if ([...s].length < TRIGRAM_MIN) {
    throw new FilterError(
      `invalid q: give at least ${TRIGRAM_MIN} characters (use talkgroup=, channel= or label= for exact values)`,
    );
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
    else if (name === 'q') q.q = searchText(value);
    else if (name === 'limit') q.limit = intIn(name, value, 1, MAX_LIMIT);
    else if (name === 'cursor') q.beforeId = decodeCursor(value);
  }
  if (q.sinceMs !== undefined && q.untilMs !== undefined && q.untilMs <= q.sinceMs) {
    throw new FilterError('invalid until: must be later than since');
  }
  return q;
}

/** SQL over the calls table (aliased c): FROM, WHERE (without the keywords) and ORDER BY, with positional parameters. */
export interface CallSql {
  from: string;
  where: string;
  order: string;
  params: (string | number)[];
}

/** LIKE pattern for text anywhere, with %, _ and the escape character taken literally. */
function containing(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** An FTS5 string (a phrase): the trigram tokenizer matches it as a substring, case-insensitively. */
function ftsPhrase(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * The filter as SQL. Each condition can use an index: the primary key for time and cursor (id
 * is the start in ms), and (talkgroup, id), (channel, id), (freq, id), (label COLLATE NOCASE,
 * id) for the rest, which also give the newest-first order. Text of 3 or more characters alone
 * (or with only a time range) is matched in the calls_text trigram index, walked newest first
 * (ORDER BY its rowid), so a page stops after limit matches and a text that matches nothing
 * costs no scan; with an equality filter it is a LIKE on the rows that filter's index gives.
 */
export function filterSql(f: CallFilter & { beforeId?: number }): CallSql {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: string, ...p: (string | number)[]): void => {
    where.push(sql);
    params.push(...p);
  };
  // With an equality filter its index walks a few thousand rows at most, cheaper to test with LIKE
  // than the trigram matches are to join (measured by npm run bench:calls).
  const narrowed =
    f.talkgroup !== undefined ||
    f.channel !== undefined ||
    f.freqHz !== undefined ||
    f.label !== undefined;
  const text = f.q !== undefined && !narrowed;
  if (text && f.q !== undefined) add('calls_text MATCH ?', ftsPhrase(f.q));
  if (f.sinceMs !== undefined) add('c.id >= ?', f.sinceMs);
  if (f.untilMs !== undefined) add('c.id < ?', f.untilMs);
  if (f.beforeId !== undefined) add('c.id < ?', f.beforeId);
  if (f.talkgroup !== undefined) add('c.talkgroup = ?', f.talkgroup);
  if (f.channel !== undefined) add('c.channel = ?', f.channel);
  if (f.freqHz !== undefined) add('c.freq = ?', f.freqHz);
  if (f.label !== undefined) add('c.label = ? COLLATE NOCASE', f.label);
  if (f.q !== undefined && !text) {
    const like = containing(f.q);
    add("(c.label LIKE ? ESCAPE '\\' OR c.talkgroup LIKE ? ESCAPE '\\')", like, like);
  }
  return {
    from: text ? 'calls_text JOIN calls c ON c.id = calls_text.rowid' : 'calls c',
    where: where.length ? where.join(' AND ') : '1',
    order: text ? 'calls_text.rowid DESC' : 'c.id DESC',
    params,
  };
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
