// src/hls/gap-planner.ts: GapPlanner (pure): when the input counts as lost, and which EXT-X-GAP segments cover the outage.
//
// Why EXT-X-GAP and not only a discontinuity on resume: RFC 8216bis §6.2.1 says a server whose
// encoder stops SHOULD keep the playlist going with segments tagged EXT-X-GAP ("If the server wishes
// to indicate that media is absent ... it SHOULD add Media Segments with the EXT-X-GAP tag"), and
// the live playlist MUST gain a segment no later than 1.5 × the target duration after the previous
// update (§6.2.1). A playlist that simply stops breaks that rule: AVPlayer (iOS, Safari) fails with
// "playlist unchanged for longer than 1.5 × target duration", and hls.js keeps reloading against a
// frozen window and drifts behind live when media returns. GAP segments (§4.4.4.7: "the segment
// URI ... does not contain media data and SHOULD NOT be loaded by clients") keep the window moving;
// hls.js skips them, Safari plays silence over them. The segment after the outage still carries
// EXT-X-DISCONTINUITY (§4.4.4.3): the encoder's timestamps restart or jump, and the GAP durations
// are wall-clock estimates, so the media timeline across the outage is not continuous.

/** How long a long pause between inputs is remembered (exponential decay constant). */
const BURST_MEMORY_MS = 10_000;

/** One GAP segment to list: wall-clock start and length. */
export interface GapSegment {
  programDateTimeMs: number;
  durationSec: number;
}

/** Tracks input arrival and the wall-clock end of what the playlist covers. */
export class GapPlanner {
  private segmentMs: number;
  private lostAfterMs: number;
  private maxLostAfterMs: number;
  /** The longest recent pause between inputs (decays over BURST_MEMORY_MS): bursty encoders. */
  private burstMs = 0;
  private lastInputMs: number | null = null;
  private coveredUntilMs = 0;
  private lostFlag = false;

  /**
   * stepSec: the length of each GAP entry (a segment, or a part with LL-HLS); the input counts as
   * lost after lostAfterSec without any (by default one step).
   */
  constructor(stepSec: number, lostAfterSec = stepSec, maxLostAfterSec = lostAfterSec) {
    this.segmentMs = stepSec * 1000;
    this.lostAfterMs = lostAfterSec * 1000;
    this.maxLostAfterMs = maxLostAfterSec * 1000;
  }

  /** Changes the entry length and the lost threshold (LL-HLS: GAP parts once PART-TARGET is known). */
  retune(stepSec: number, lostAfterSec: number, maxLostAfterSec: number): void {
    this.segmentMs = stepSec * 1000;
    this.lostAfterMs = lostAfterSec * 1000;
    this.maxLostAfterMs = maxLostAfterSec * 1000;
  }

  /**
   * The silence that counts as lost: at least lostAfter, twice the longest recent pause of an
   * encoder that sends in bursts (ffmpeg's default 0.7 s PES at 32 kbit/s), at most maxLostAfter.
   */
  private get lostAfterNow(): number {
    return Math.min(this.maxLostAfterMs, Math.max(this.lostAfterMs, 2 * this.burstMs));
  }

  /** True while the input is lost (GAP segments are being listed). */
  get lost(): boolean {
    return this.lostFlag;
  }

  /** Input arrived at nowMs; returns true when it ends an outage. */
  onInput(nowMs: number): boolean {
    if (this.lastInputMs !== null && !this.lostFlag) {
      const pause = nowMs - this.lastInputMs;
      this.burstMs = Math.max(pause, this.burstMs * Math.exp(-pause / BURST_MEMORY_MS));
    }
    this.lastInputMs = nowMs;
    const resumed = this.lostFlag;
    this.lostFlag = false;
    return resumed;
  }

  /** A real segment was cut that ends at endMs (its PROGRAM-DATE-TIME plus its duration). */
  onSegment(endMs: number): void {
    this.coveredUntilMs = Math.max(this.coveredUntilMs, endMs);
  }

  /** True when input was seen and nothing came for a whole segment: time to declare the outage. */
  isSilent(nowMs: number): boolean {
    return (
      !this.lostFlag && this.lastInputMs !== null && nowMs - this.lastInputMs >= this.lostAfterNow
    );
  }

  /** Marks the outage; the caller publishes the open segment first (so onSegment sees it). */
  declareLost(nowMs: number): void {
    this.lostFlag = true;
    // Never list GAP time before the last real media, nor more than the silence before now.
    this.coveredUntilMs = Math.max(this.coveredUntilMs, nowMs - this.lostAfterNow);
  }

  /** GAP segments whose whole span has passed by nowMs (at most max; older time is skipped). */
  fill(nowMs: number, max: number): GapSegment[] {
    if (!this.lostFlag) return [];
    const due = Math.floor((nowMs - this.coveredUntilMs) / this.segmentMs);
    if (due <= 0) return [];
    if (due > max) this.coveredUntilMs += (due - max) * this.segmentMs;
    const out: GapSegment[] = [];
    for (let i = 0; i < Math.min(due, max); i++) {
      out.push({ programDateTimeMs: this.coveredUntilMs, durationSec: this.segmentMs / 1000 });
      this.coveredUntilMs += this.segmentMs;
    }
    return out;
  }

  /** When to look again (wall ms), or null while no input was ever seen. */
  nextCheckMs(): number | null {
    if (this.lastInputMs === null) return null;
    return this.lostFlag
      ? this.coveredUntilMs + this.segmentMs
      : this.lastInputMs + this.lostAfterNow;
  }
}
