// src/calls/call-format.ts: a call's database row → the API's Call JSON, and Call → CSV and NDJSON export lines (pure).

/** One row of the calls table (column names as trunk-recorder's call JSON, see call-schema.ts). */
export interface CallRow {
  id: number;
  start_time: number;
  stop_time: number | null;
  call_length: number | null;
  freq: number | null;
  talkgroup: string | null;
  talkgroup_tag: string | null;
  channel: number | null;
  bank: number | null;
  label: string | null;
  open: number;
  codec: string | null;
}

/** A call's own fields in JSON (the id as a string): shared by the API's Call and the alerts. */
export interface CallFields {
  id: string;
  start_time: number;
  stop_time: number | null;
  call_length: number | null;
  freq: number | null;
  talkgroup: string | null;
  talkgroup_tag: string | null;
  channel: number | null;
  bank: number | null;
  label: string | null;
}

/** A call as GET /api/calls gives it. */
export interface CallJson extends CallFields {
  open: boolean;
  /** The call's VOD playlist, or null once its audio is no longer retained. */
  m3u8: string | null;
  /** The call's audio download (.mp3, or .aac for AAC input), or null likewise. */
  audio: string | null;
}

/** Where the audio on disk begins: calls that started earlier have none left. */
export interface AudioSpan {
  /** Start of the oldest segment still on disk (ms), or null when there is none. */
  fromMs: number | null;
}

/** The download's extension for a codec: aac for ADTS input, else mp3. */
export function audioExtension(codec: string | null): 'mp3' | 'aac' {
  return codec === 'aac' ? 'aac' : 'mp3';
}

/** A row's own fields as JSON, in the API's order. */
export function callFields(row: CallRow): CallFields {
  return {
    id: String(row.id),
    start_time: row.start_time,
    stop_time: row.stop_time,
    call_length: row.call_length,
    freq: row.freq,
    talkgroup: row.talkgroup,
    talkgroup_tag: row.talkgroup_tag,
    channel: row.channel,
    bank: row.bank,
    label: row.label,
  };
}

/** The JSON of one call; m3u8 and audio are null when its start is older than the audio kept. */
export function callJson(row: CallRow, span: AudioSpan): CallJson {
  const id = String(row.id);
  const kept = span.fromMs !== null && row.id + 1000 * (row.call_length ?? 0) >= span.fromMs;
  return {
    ...callFields(row),
    open: row.open !== 0,
    m3u8: kept ? `/api/calls/${id}.m3u8` : null,
    audio: kept ? `/api/calls/${id}.${audioExtension(row.codec)}` : null,
  };
}

/** The export's columns, in order: the Call JSON's fields. */
export const CSV_COLUMNS: readonly (keyof CallJson)[] = [
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
  'm3u8',
  'audio',
];

/**
 * RFC 4180 §2: a field with a comma, a quote or a line break is quoted, quotes doubled; null is
 * empty. A text that a spreadsheet would run as a formula (it starts with =, +, -, @, tab or CR;
 * OWASP "CSV Injection") gets a leading apostrophe; numbers are written as they are.
 */
function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV header line (CRLF-terminated, as RFC 4180 §2 writes records). */
export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

/** One call as a CSV record. */
export function csvLine(call: CallJson): string {
  return CSV_COLUMNS.map((c) => csvField(call[c])).join(',') + '\r\n';
}

/** One call as an NDJSON line. */
export function ndjsonLine(call: CallJson): string {
  return JSON.stringify(call) + '\n';
}
