// src/ts/timestamps.ts: 90 kHz timestamp arithmetic, including the 33-bit PTS wrap (every 26.5 h).

/** 90 kHz ticks per second. */
export const TICKS = 90000;
const WRAP = 2 ** 33;
const HALF = 2 ** 32;

/**
 * Signed distance from prevRaw to raw, both 33-bit PTS values, taking the shorter way round the
 * wrap: a PTS that wrapped from 2^33-1 to 0 counts as a small step forward.
 */
export function ptsDelta(raw: number, prevRaw: number): number {
  let d = (raw - prevRaw) % WRAP;
  if (d < 0) d += WRAP;
  return d >= HALF ? d - WRAP : d;
}
