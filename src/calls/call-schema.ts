// src/calls/call-schema.ts: the call log's SQL schema (calls and segments tables, their indexes) and its version.

/**
 * Set before the first table exists: SQLite can only pick the vacuum mode of an empty file.
 * INCREMENTAL lets the quota prune give freed pages back to the file system
 * (PRAGMA incremental_vacuum) without a full VACUUM that rewrites the file.
 */
export const FIRST_PRAGMAS = ['auto_vacuum = INCREMENTAL'];

/**
 * Each open: WAL ("readers do not block writers and a writer does not block readers", and a
 * transaction is one append to the -wal file, so a process killed mid-write leaves the last
 * committed state: sqlite.org/wal.html); synchronous NORMAL is what the SQLite docs call safe
 * from corruption in WAL mode (a power cut may lose the newest transactions, a kill -9 does not).
 */
export const OPEN_PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 5000'];

/**
 * calls: one row per transmission. id is the transmission key, Date.parse(start) in ms: the same
 * number the stream's DATERANGE (call-<key>) and timed ID3 (TXXX call) carry. Columns that
 * trunk-recorder's call JSON has keep its names and units: start_time and stop_time in Unix
 * seconds, call_length in seconds, freq in Hz, talkgroup and talkgroup_tag.
 *
 * calls_text: an FTS5 trigram index of label and talkgroup (external content, kept by the
 * triggers), so text search of 3 characters or more finds substrings without scanning the table.
 *
 * segments: every segment the live playlist listed (real or GAP), fed by the SegmentArchive.
 * retained = 1 once it left the live window and is kept for replay (its file is ours to delete).
 */
const V1 = `
CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  start_time REAL NOT NULL,
  stop_time REAL,
  call_length REAL,
  freq INTEGER,
  talkgroup TEXT,
  talkgroup_tag TEXT,
  channel INTEGER,
  bank INTEGER,
  label TEXT,
  open INTEGER NOT NULL DEFAULT 1,
  codec TEXT
);
CREATE INDEX calls_talkgroup ON calls (talkgroup, id);
CREATE INDEX calls_channel ON calls (channel, id);
CREATE INDEX calls_freq ON calls (freq, id);
CREATE INDEX calls_label ON calls (label COLLATE NOCASE, id);
CREATE TABLE segments (
  uri TEXT PRIMARY KEY,
  stream TEXT NOT NULL,
  run TEXT NOT NULL,
  msn INTEGER NOT NULL,
  pdt INTEGER NOT NULL,
  duration REAL NOT NULL,
  bytes INTEGER NOT NULL,
  discontinuity INTEGER NOT NULL,
  gap INTEGER NOT NULL,
  retained INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX segments_time ON segments (stream, pdt);
CREATE INDEX segments_retained ON segments (retained, pdt);
`;

/** Version 2: the trigram text index, filled from the calls already stored. */
const V2 = `
CREATE VIRTUAL TABLE calls_text USING fts5 (
  label, talkgroup, content = 'calls', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER calls_text_insert AFTER INSERT ON calls BEGIN
  INSERT INTO calls_text (rowid, label, talkgroup) VALUES (new.id, new.label, new.talkgroup);
END;
CREATE TRIGGER calls_text_delete AFTER DELETE ON calls BEGIN
  INSERT INTO calls_text (calls_text, rowid, label, talkgroup)
  VALUES ('delete', old.id, old.label, old.talkgroup);
END;
CREATE TRIGGER calls_text_update AFTER UPDATE OF label, talkgroup ON calls BEGIN
  INSERT INTO calls_text (calls_text, rowid, label, talkgroup)
  VALUES ('delete', old.id, old.label, old.talkgroup);
  INSERT INTO calls_text (rowid, label, talkgroup) VALUES (new.id, new.label, new.talkgroup);
END;
INSERT INTO calls_text (calls_text) VALUES ('rebuild');
`;

/** The schema's steps: MIGRATIONS[n] takes a file from user_version n to n + 1, in one transaction. */
export const MIGRATIONS: readonly string[] = [V1, V2];

/** PRAGMA user_version of the newest schema; a newer file is refused rather than misread. */
export const SCHEMA_VERSION = MIGRATIONS.length;
