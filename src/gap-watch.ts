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

/** How soon to look again when the silence may be our own backpressure, or a stall of our own loop. */
const BUSY_RECHECK_MS = 50;

/**
 * A timer that fires this much after its time means our event loop was blocked (a GC pause, a
 * starved CPU): Node runs due timers before it polls sockets, so input that arrived meanwhile
 * is still unread. The watch then looks again after one poll instead of calling it an outage.
 */
const STALL_MS = 100;

/**
 * Arms one timer at a time: while input flows it fires a segment after the last input, and during
 * an outage once per GAP segment. input() is on the hot path and only stores a time.
 */
export class GapWatch {
  private readonly planner: GapPlanner;
  private cancelTimer: (() => void) | null = null;
  private closed = false;
  /** When the armed timer was due (wall ms). */
  private dueMs = 0;
  /** The current check is already the second look after a stalled loop. */
  private stallRechecked = false;

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
    this.dueMs = this.clock.now() + delay;
    this.cancelTimer = this.clock.setTimer(() => this.check(), delay);
  }

  private recheck(): void {
    this.dueMs = this.clock.now() + BUSY_RECHECK_MS;
    this.cancelTimer = this.clock.setTimer(() => this.check(), BUSY_RECHECK_MS);
  }

  private check(): void {
    const now = this.clock.now();
    const late = now - this.dueMs > STALL_MS;
    if (this.planner.isSilent(now) && late && !this.stallRechecked) {
      this.stallRechecked = true;
      this.recheck();
      return;
    }
    this.stallRechecked = false;
    if (this.planner.isSilent(now) && this.on.busy?.()) {
      this.recheck();
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
