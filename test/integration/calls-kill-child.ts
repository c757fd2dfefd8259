// test/integration/calls-kill-child.ts: the writer that calls-kill.test.ts kills with SIGKILL: batches of calls (and segments) as fast as it can, one transaction each, reported on stdout.
import { CallDb } from '../../src/calls/call-db.js';
import type { CallRow } from '../../src/calls/call-format.js';

/** Rows per transaction. */
export const BATCH = 200;

/** The rows of batch b: the same label and talkgroup, lengths that make each row checkable. */
export function batchRows(b: number, open: number): CallRow[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const id = 1_700_000_000_000 + b * 1_000_000 + i * 1000;
    const length = (b * 7 + i) % 30;
    return {
      id,
      start_time: id / 1000,
      stop_time: open ? null : id / 1000 + length,
      call_length: open ? null : length,
      freq: 150_000_000 + b,
      talkgroup: String(b),
      talkgroup_tag: `batch-${b}`,
      channel: i,
      bank: b % 10,
      label: `batch-${b}`,
      open,
      codec: 'mp3',
    };
  });
}

const path = process.argv[2];
/** Batch numbers start here (each run of the writer has its own). */
const first = Number(process.argv[3] ?? 0);
if (path) {
  const db = CallDb.open(path);
  for (let b = first; ; b++) {
    // Each batch opens its calls and closes the previous batch's: inserts and updates together.
    db.upsertCalls([...(b > first ? batchRows(b - 1, 0) : []), ...batchRows(b, 1)]);
    db.putSegment({
      uri: `live-x-${b}.ts`,
      stream: 'live',
      run: 'x',
      msn: b,
      pdt: b * 1000,
      duration: 1,
      bytes: 4000,
      discontinuity: false,
      gap: false,
      retained: b % 2 === 0,
    });
    process.stdout.write(`batch ${b}\n`);
  }
}
