// src/segment-names.ts: the one name format of segment files, and the run id that keeps names unique across restarts.

/**
 * Base-36 start time in milliseconds: segment names never repeat across restarts, even when a
 * killed run wrote a segment its state file never recorded and the next run starts within the
 * same second. A URI that came back with other bytes would break every cache (nginx, a CDN, the
 * player) that holds the old ones, since segments are served as immutable.
 */
export function makeRunId(nowMs: number): string {
  return Math.floor(nowMs).toString(36);
}

/** STREAM-RUN-MSN.ts, and STREAM-RUN-MSN-gap.ts for the silence behind an EXT-X-GAP. */
export function segmentUri(stream: string, runId: string, msn: number, gap = false): string {
  return `${stream}-${runId}-${msn}${gap ? '-gap' : ''}.ts`;
}

/** STREAM-RUN-MSN.PART.ts: one LL-HLS part of segment MSN (STREAM-RUN-MSN-gap.PART.ts for a GAP part). */
export function partUri(
  stream: string,
  runId: string,
  msn: number,
  part: number,
  gap = false,
): string {
  return `${stream}-${runId}-${msn}${gap ? '-gap' : ''}.${part}.ts`;
}
