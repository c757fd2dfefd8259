// src/calls/call-db.ts: CallDb, the call log and segment index in SQLite (libsql) under --state-dir: WAL, one transaction per change, typed rows.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import type { CallQuery, CallFilter } from './call-filter.js';
import { filterSql } from './call-filter.js';
import type { CallRow } from './call-format.js';
import { FIRST_PRAGMAS, MIGRATIONS, OPEN_PRAGMAS, SCHEMA_VERSION } from './call-schema.js';

/** One row of the segments table. */
export interface SegmentRow {
  uri: string;
  stream: string;
  /** The run id in the name (a restart starts a new one). */
  run: string;
  msn: number;
  /** PROGRAM-DATE-TIME of its first sample, ms. */
  pdt: number;
  /** EXTINF, seconds. */
  duration: number;
  bytes: number;
  discontinuity: boolean;
  gap: boolean;
  /** Kept beyond the live window (its file is the archive's to delete). */
  retained: boolean;
}

type Row = Record<string, unknown>;

function isRow(r: unknown): r is Row {
  return typeof r === 'object' && r !== null;
}

function num(r: Row, k: string): number {
  const v = r[k];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new TypeError(`calls.db: column ${k} is not a number`);
}

function numOrNull(r: Row, k: string): number | null {
  return r[k] === null || r[k] === undefined ? null : num(r, k);
}

function strOrNull(r: Row, k: string): string | null {
  const v = r[k];
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  throw new TypeError(`calls.db: column ${k} is not text`);
}

function str(r: Row, k: string): string {
  const v = strOrNull(r, k);
  if (v === null) throw new TypeError(`calls.db: column ${k} is empty`);
  return v;
}

/**
 * A pragma's value. libsql's pragma(…, { simple: true }) and pluck().get() return the whole row
 * (with a _metadata field), unlike better-sqlite3; pluck().all() gives the bare values.
 */
function pragmaValue(db: Database.Database, source: string): unknown {
  return db.prepare(`PRAGMA ${source}`).pluck().all()[0];
}

function callRow(r: unknown): CallRow {
  if (!isRow(r)) throw new TypeError('calls.db: not a row');
  return {
    id: num(r, 'id'),
    start_time: num(r, 'start_time'),
    stop_time: numOrNull(r, 'stop_time'),
    call_length: numOrNull(r, 'call_length'),
    freq: numOrNull(r, 'freq'),
    talkgroup: strOrNull(r, 'talkgroup'),
    talkgroup_tag: strOrNull(r, 'talkgroup_tag'),
    channel: numOrNull(r, 'channel'),
    bank: numOrNull(r, 'bank'),
    label: strOrNull(r, 'label'),
    open: num(r, 'open'),
    codec: strOrNull(r, 'codec'),
  };
}

function segmentRow(r: unknown): SegmentRow {
  if (!isRow(r)) throw new TypeError('calls.db: not a row');
  return {
    uri: str(r, 'uri'),
    stream: str(r, 'stream'),
    run: str(r, 'run'),
    msn: num(r, 'msn'),
    pdt: num(r, 'pdt'),
    duration: num(r, 'duration'),
    bytes: num(r, 'bytes'),
    discontinuity: num(r, 'discontinuity') !== 0,
    gap: num(r, 'gap') !== 0,
    retained: num(r, 'retained') !== 0,
  };
}

const CALL_NAMES = [
  'id',
  'start_time',
  'stop_time',
  'call_length',
  'freq',
  'talkgroup',
  'talkgroup_tag',
  'channel',
  'bank',
  'label',
  'open',
  'codec',
];
const CALL_COLUMNS = CALL_NAMES.join(', ');
/** The same columns of the calls table aliased c (filterSql's queries). */
const C_COLUMNS = CALL_NAMES.map((n) => `c.${n}`).join(', ');

/**
 * The database. Every method is synchronous (libsql, like better-sqlite3, runs SQLite in the
 * calling thread; each statement here takes microseconds) and throws on a failed write, which
 * callers log: the stream never depends on the call log.
 */
export class CallDb {
  private readonly db: Database.Database;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
  }

  /** Opens (or creates) the database file; throws with the reason when it cannot be used. */
  static open(path: string): CallDb {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    const version = Number(pragmaValue(db, 'user_version'));
    if (!Number.isInteger(version)) throw new Error(`${path}: cannot read its schema version`);
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new Error(
        `${path} has schema version ${version}, newer than this program's ${SCHEMA_VERSION}`,
      );
    }
    if (version === 0) for (const p of FIRST_PRAGMAS) db.pragma(p);
    for (const p of OPEN_PRAGMAS) db.pragma(p);
    for (let v = version; v < SCHEMA_VERSION; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v] ?? '');
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    return new CallDb(path, db);
  }

  /** The journal mode in force ('wal'). */
  journalMode(): string {
    return String(pragmaValue(this.db, 'journal_mode'));
  }

  /** Inserts or updates calls, all in one transaction. */
  upsertCalls(rows: readonly CallRow[]): void {
    if (rows.length === 0) return;
    const stmt = this.db.prepare(
      `INSERT INTO calls (${CALL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET stop_time = excluded.stop_time,
         call_length = excluded.call_length, freq = excluded.freq, talkgroup = excluded.talkgroup,
         talkgroup_tag = excluded.talkgroup_tag, channel = excluded.channel, bank = excluded.bank,
         label = excluded.label, open = excluded.open, codec = coalesce(calls.codec, excluded.codec)`,
    );
    this.db.transaction(() => {
      for (const r of rows) {
        stmt.run(
          r.id,
          r.start_time,
          r.stop_time,
          r.call_length,
          r.freq,
          r.talkgroup,
          r.talkgroup_tag,
          r.channel,
          r.bank,
          r.label,
          r.open,
          r.codec,
        );
      }
    })();
  }

  /** Calls still open (a run that ended without closing them). */
  openCalls(): CallRow[] {
    return this.db.prepare(`SELECT ${CALL_COLUMNS} FROM calls WHERE open = 1`).all().map(callRow);
  }

  /** One call by id, or null. */
  getCall(id: number): CallRow | null {
    const r = this.db.prepare(`SELECT ${CALL_COLUMNS} FROM calls WHERE id = ?`).all(id)[0];
    return r === undefined ? null : callRow(r);
  }

  /** The first id after id (the next call), or null. */
  nextCallId(id: number): number | null {
    const r = this.db.prepare('SELECT min(id) AS id FROM calls WHERE id > ?').all(id)[0];
    return isRow(r) ? numOrNull(r, 'id') : null;
  }

  /** A page, newest first; next is the id to continue below, or null on the last page. */
  listCalls(q: CallQuery): { rows: CallRow[]; nextBeforeId: number | null } {
    const { from, where, order, params } = filterSql(q);
    const rows = this.db
      .prepare(`SELECT ${C_COLUMNS} FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ?`)
      .all(...params, q.limit + 1)
      .map(callRow);
    const more = rows.length > q.limit;
    if (more) rows.length = q.limit;
    return { rows, nextBeforeId: more ? (rows.at(-1)?.id ?? null) : null };
  }

  /** How many calls match (the bench and tests). */
  countCalls(f: CallFilter = {}): number {
    const { from, where, params } = filterSql(f);
    const r = this.db.prepare(`SELECT count(*) AS n FROM ${from} WHERE ${where}`).all(...params)[0];
    return isRow(r) ? num(r, 'n') : 0;
  }

  /** Deletes calls that started before beforeId; returns how many. */
  deleteCallsBefore(beforeId: number): number {
    return this.db.prepare('DELETE FROM calls WHERE id < ?').run(beforeId).changes;
  }

  /** Deletes the n oldest calls; returns how many. */
  deleteOldestCalls(n: number): number {
    return this.db
      .prepare('DELETE FROM calls WHERE id IN (SELECT id FROM calls ORDER BY id LIMIT ?)')
      .run(n).changes;
  }

  /** Bytes of the file in use (pages in use × page size; the WAL is checkpointed back into it). */
  usedBytes(): number {
    const pages = Number(pragmaValue(this.db, 'page_count'));
    const free = Number(pragmaValue(this.db, 'freelist_count'));
    const size = Number(pragmaValue(this.db, 'page_size'));
    return (pages - free) * size;
  }

  /** Gives freed pages back to the file system (auto_vacuum = INCREMENTAL). */
  releaseFreePages(): void {
    this.db.pragma('incremental_vacuum');
  }

  /** Records a listed segment (again: a restart may list one twice). */
  putSegment(s: SegmentRow): void {
    this.db
      .prepare(
        `INSERT INTO segments (uri, stream, run, msn, pdt, duration, bytes, discontinuity, gap, retained)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (uri) DO UPDATE SET retained = excluded.retained`,
      )
      .run(
        s.uri,
        s.stream,
        s.run,
        s.msn,
        s.pdt,
        s.duration,
        s.bytes,
        s.discontinuity ? 1 : 0,
        s.gap ? 1 : 0,
        s.retained ? 1 : 0,
      );
  }

  /** Marks a segment as kept beyond the live window; false when it is not known. */
  retainSegment(uri: string): boolean {
    return this.db.prepare('UPDATE segments SET retained = 1 WHERE uri = ?').run(uri).changes > 0;
  }

  /** Forgets segments (their files are gone). */
  removeSegments(uris: readonly string[]): void {
    const stmt = this.db.prepare('DELETE FROM segments WHERE uri = ?');
    this.db.transaction(() => {
      for (const u of uris) stmt.run(u);
    })();
  }

  /** A stream's segments that overlap [fromMs, toMs), in time order. */
  segmentsBetween(stream: string, fromMs: number, toMs: number): SegmentRow[] {
    // A segment is at most a few target durations long: look back 60 s for one that began earlier.
    return this.db
      .prepare(
        `SELECT * FROM segments WHERE stream = ? AND pdt >= ? AND pdt < ?
         AND pdt + duration * 1000 > ? ORDER BY pdt, msn`,
      )
      .all(stream, fromMs - 60_000, toMs, fromMs)
      .map(segmentRow);
  }

  /** Start of the stream's oldest segment on disk, or null. */
  oldestSegmentMs(stream: string): number | null {
    const r = this.db.prepare('SELECT min(pdt) AS t FROM segments WHERE stream = ?').all(stream)[0];
    return isRow(r) ? numOrNull(r, 't') : null;
  }

  /** End of the newest segment that began at or before ms, or null. */
  lastSegmentEndMs(): number | null {
    const r = this.db.prepare('SELECT max(pdt + duration * 1000) AS t FROM segments').all()[0];
    return isRow(r) ? numOrNull(r, 't') : null;
  }

  /** The oldest retained segments, oldest first. */
  oldestRetained(limit: number): SegmentRow[] {
    return this.db
      .prepare('SELECT * FROM segments WHERE retained = 1 ORDER BY pdt, msn LIMIT ?')
      .all(limit)
      .map(segmentRow);
  }

  /** Bytes of all retained segments. */
  retainedBytes(): number {
    const r = this.db.prepare('SELECT total(bytes) AS b FROM segments WHERE retained = 1').all()[0];
    return isRow(r) ? num(r, 'b') : 0;
  }

  /** Every segment row (start-up reconciliation). */
  allSegments(): SegmentRow[] {
    return this.db.prepare('SELECT * FROM segments').all().map(segmentRow);
  }

  /** Closes the file (the WAL is checkpointed). */
  close(): void {
    this.db.close();
  }
}
