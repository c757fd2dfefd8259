// src/calls/call-recorder.ts: the scanner's transmission log → call rows: each recorded when it opens, updated, closed when it ends (the diff is pure).
import type { Labelled } from '../scanner/scanner-service.js';
import type { Transmission } from '../scanner/transmission-log.js';
import { transmissionKey } from '../timeline/scanner-tags.js';
import type { CallRow } from './call-format.js';

/**
 * The call row of a transmission. call_length is end − start to the millisecond (the log's
 * durationSec is rounded to 0.1 s); talkgroup_tag is the label when a talkgroup was received,
 * as trunk-recorder names a talkgroup's alpha tag.
 */
export function transmissionRow(t: Labelled<Transmission>, codec: string | null): CallRow {
  const id = Number(transmissionKey(t));
  const endMs = t.end === null ? null : Date.parse(t.end);
  return {
    id,
    start_time: id / 1000,
    stop_time: endMs === null ? null : endMs / 1000,
    call_length: endMs === null ? null : Math.max(0, endMs - id) / 1000,
    freq: t.frequencyMHz === null ? null : Math.round(t.frequencyMHz * 1e6),
    talkgroup: t.talkgroup,
    talkgroup_tag: t.talkgroup !== null ? t.label : null,
    channel: t.channel,
    bank: t.bank,
    label: t.label,
    open: t.end === null ? 1 : 0,
    codec,
  };
}

/**
 * Remembers what was last written for each transmission in the log, so a change of the whole
 * log (it is sent whole on every change) writes only the rows that changed.
 */
export class CallDiff {
  private written = new Map<number, string>();

  /** The rows of log (newest first) that are new or changed since the last call. */
  changed(log: readonly Labelled<Transmission>[], codec: string | null): CallRow[] {
    const next = new Map<number, string>();
    const out: CallRow[] = [];
    for (const t of log) {
      const row = transmissionRow(t, codec);
      if (!Number.isFinite(row.id)) continue;
      // The codec is what the stream carried when the call opened: a later change is not the call's.
      const sig = JSON.stringify({ ...row, codec: null });
      next.set(row.id, sig);
      if (this.written.get(row.id) !== sig) out.push(row);
    }
    this.written = next;
    return out;
  }

  /** Forgets a row (its write failed: it is tried again with the next change). */
  forget(id: number): void {
    this.written.delete(id);
  }
}

/**
 * Closes calls a previous run left open (it stopped while a transmission was on the air): each
 * ends where the next call starts or the last recorded segment ends, whichever is first, and
 * never before it began.
 */
export function closeStale(
  open: readonly CallRow[],
  nextStartMs: (id: number) => number | null,
  lastMediaEndMs: number | null,
): CallRow[] {
  return open.map((c) => {
    const ends = [nextStartMs(c.id), lastMediaEndMs].filter((v): v is number => v !== null);
    const endMs = Math.max(c.id, ends.length ? Math.min(...ends) : c.id);
    return {
      ...c,
      open: 0,
      stop_time: endMs / 1000,
      call_length: (endMs - c.id) / 1000,
    };
  });
}
