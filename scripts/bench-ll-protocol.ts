// scripts/bench-ll-protocol.ts: the IPC messages between bench:ll and its server children (bench-ll-live.ts, bench-ll-origin.ts, bench-ll-floor.mjs), and the ManualFeed stream of the routes child.
import { performance } from 'node:perf_hooks';
import type { LowLatencyInfo, PartPosition } from '../src/hls/live-feed.js';

/** The recommended LL numbers (PART-TARGET 0.2 s, 1 s segments): five parts a segment. */
export const BENCH_LL: LowLatencyInfo = {
  partTargetSec: 0.2,
  targetDurationSec: 1,
  canSkipUntilSec: 6,
};
export const BENCH_PARTS_PER_SEGMENT = 5;

/** Parent → child. */
export type ParentCommand =
  /** Floor only: the body (base64) and headers each held request is answered with. */
  | { type: 'init'; body: string; headers: Record<string, string | number> }
  /** Report the held count and memory now (after a full GC if gc; children run with --expose-gc). */
  | { type: 'count'; gc?: boolean }
  /** Ours only: publish `times` parts with nobody waiting, timing each call. */
  | { type: 'idle-publish'; times: number }
  /** Publish (routes) or trigger (floor): answer every held request. */
  | { type: 'publish' }
  /** Live only: report the packager's first publish at or past target. */
  | { type: 'arm'; target: PartPosition }
  | { type: 'exit' };

/** Child → parent. Times `at` are performance.timeOrigin + performance.now() (comparable across processes). */
export type ChildReply =
  | { type: 'ready'; port: number; rss: number; next?: PartPosition }
  | { type: 'count'; held: number; rss: number; heapUsed: number; next?: PartPosition }
  | { type: 'idle-published'; publishMs: number[]; next: PartPosition }
  | {
      type: 'published';
      /** When the publish call (ours) or the trigger (floor) began. */
      at: number;
      /** Duration of the publish call itself: what the packager would wait. */
      publishMs: number;
      /** From the start of the wake to the last response written (ours: in slices). */
      loopMs: number;
      /** Ours: the longest the event loop was not free while answering (floor: the loop). */
      stallMs?: number;
      answered: number;
      next?: PartPosition;
    };

/**
 * Watches the event loop until done() returns true: the longest gap between 1 ms timer turns
 * (how long it was unavailable to the packager's reads, timers and next publish), then calls
 * report(stallMs, now) once.
 */
export function probeEventLoop(
  done: () => boolean,
  report: (stallMs: number, now: number) => void,
): void {
  let stallMs = 0;
  let last = performance.now();
  const probe = (): void => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
    if (!done()) {
      setTimeout(probe, 1);
      return;
    }
    report(stallMs, now);
  };
  setTimeout(probe, 1);
}
