// src/gap-watch.ts: GapWatch: the outage timer of a live stream (injected clock) around the pure GapPlanner.
import type { Clock } from './clock.js';
import { type GapSegment, GapPlanner } from './hls/gap-planner.js';

/** What the watch tells its owner (the Packager). */
export interface GapWatchEvents {
  /** Input stopped for a whole segment: publish what was received (the segmenter starts clean). */
  lost(nowMs: number): void;
  /** One GAP segment's time has passed: list it. */
  gap(g: GapSegment): void;
  /** Input is back after an outage: the next segment starts with a discontinuity. */
  resumed(): void;
  /** True while our own writes hold the input back (backpressure): silence then is not an outage. */
  busy?(): boolean;
}

/** How soon to look again when the silence may be our own backpressure. */
const BUSY_RECHECK_MS = 50;

/**
 * Arms one timer at a time: while input flows it fires a segment after the last input, and during
 * an outage once per GAP segment. input() is on the hot path and only stores a time.
 */
export class GapWatch {
  private readonly planner: GapPlanner;
  private cancelTimer: (() => void) | null = null;
  private closed = false;

  constructor(
    step: { stepSec: number; lostAfterSec: number; maxLostAfterSec?: number },
    private maxGaps: number,
    private readonly clock: Clock,
    private readonly on: GapWatchEvents,
  ) {
    this.planner = new GapPlanner(step.stepSec, step.lostAfterSec, step.maxLostAfterSec);
  }

  /** Changes the GAP entry length and the silence that counts as lost (LL-HLS: once PART-TARGET is known). */
  retune(stepSec: number, lostAfterSec: number, maxLostAfterSec: number, maxGaps: number): void {
    this.planner.retune(stepSec, lostAfterSec, maxLostAfterSec);
    this.maxGaps = maxGaps;
  }

  /** Input arrived now. */
  input(): void {
    if (this.planner.onInput(this.clock.now())) this.on.resumed();
    if (!this.cancelTimer) this.arm();
  }

  /** A real segment covering media up to endMs (wall clock) was cut. */
  covered(endMs: number): void {
    this.planner.onSegment(endMs);
  }

  /** Stops the timer for good. */
  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private arm(): void {
    this.cancelTimer = null;
    const at = this.planner.nextCheckMs();
    if (this.closed || at === null) return;
    const delay = Math.max(0, at - this.clock.now());
    this.cancelTimer = this.clock.setTimer(() => this.check(), delay);
  }

  private check(): void {
    const now = this.clock.now();
    if (this.planner.isSilent(now) && this.on.busy?.()) {
      this.cancelTimer = this.clock.setTimer(() => this.check(), BUSY_RECHECK_MS);
      return;
    }
    if (this.planner.isSilent(now)) {
      this.planner.declareLost(now);
      this.on.lost(now);
    }
    for (const g of this.planner.fill(now, this.maxGaps)) this.on.gap(g);
    this.arm();
  }
}
