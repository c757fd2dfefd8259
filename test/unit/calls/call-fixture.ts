// test/unit/calls/call-fixture.ts: a seeded set of calls (talkgroups, channels, frequencies, labels) for the golden filter tests and npm run bench:calls.
import type { CallRow } from '../../../src/calls/call-format.js';
import { seededRandom } from '../../../src/random.js';

/** Label names, with a few sharing words so text search has several matches. */
export const FIXTURE_LABELS = [
  'Fire Dispatch',
  'Fire Ground 2',
  'County Sheriff',
  'Sheriff Tac',
  'EMS Dispatch',
  'Public Works',
  'School Buses',
  'Airport Tower',
  'Rail Yard',
  'Marine 16',
  'Police North',
  'Police South',
  'Hospital Net',
  'Weather',
  'Ham Repeater',
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

/**
 * n calls from startMs on, 1–90 s apart, each 1–30 s long, closed. A third are conventional
 * (no talkgroup); a fifth have no label. Same seed, same calls.
 */
export function seededCalls(n: number, seed = 1, startMs = Date.UTC(2026, 0, 1)): CallRow[] {
  const r = seededRandom(seed);
  const talkgroups = Array.from({ length: 40 }, (_, i) => String(1000 + i * 37));
  const freqs = Array.from({ length: 60 }, (_, i) => 150_000_000 + i * 12_500 * 7);
  const rows: CallRow[] = [];
  let t = startMs;
  for (let i = 0; i < n; i++) {
    t += 1000 + Math.floor(r() * 89_000);
    const lengthMs = 1000 + Math.floor(r() * 29_000);
    const talkgroup = r() < 1 / 3 ? null : pick(r, talkgroups);
    const label = r() < 0.2 ? null : pick(r, FIXTURE_LABELS);
    rows.push({
      id: t,
      start_time: t / 1000,
      stop_time: (t + lengthMs) / 1000,
      call_length: lengthMs / 1000,
      freq: pick(r, freqs),
      talkgroup,
      talkgroup_tag: talkgroup === null ? null : label,
      channel: 1 + Math.floor(r() * 250),
      bank: 1 + Math.floor(r() * 10),
      label,
      open: 0,
      codec: 'mp3',
    });
  }
  return rows;
}
