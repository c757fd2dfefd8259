// src/storage/retention-reaper.ts: RetentionReaper: deletes retained segments past --retention or over --retention-max-bytes, oldest first, never a leased one.
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { planRetention, type RetainedSegment } from './retention-plan.js';
import type { SegmentStore } from './segment-store.js';

/** Where the retained segments are listed (the call log's segments table). */
export interface RetainedIndex {
  /** The oldest retained segments, oldest first. */
  oldestRetained(limit: number): { uri: string; pdt: number; duration: number; bytes: number }[];
  /** Bytes of all retained segments. */
  retainedBytes(): number;
  /** Forgets segments whose files are gone. */
  removeSegments(uris: readonly string[]): void;
}

export interface RetentionReaperOptions {
  index: RetainedIndex;
  store: SegmentStore;
  clock: Clock;
  logger: Logger;
  /** --retention in ms (0: nothing is kept, so whatever an earlier run kept goes). */
  maxAgeMs: number;
  /** --retention-max-bytes; 0 = no limit. */
  maxBytes: number;
  /** How often to look even when nothing is evicted (default 60 s). */
  intervalMs?: number;
  /** Called after each file is gone. */
  onDeleted?: (uri: string) => void;
}

/** Segments looked at per planning pass. */
const BATCH = 256;

/** Runs planRetention against the index and deletes what it names; one run at a time. */
export class RetentionReaper {
  private readonly leases = new Map<string, number>();
  private running: Promise<void> | null = null;
  private again = false;
  private cancelTimer: (() => void) | null = null;
  private closed = false;

  constructor(private readonly opts: RetentionReaperOptions) {}

  /** Starts the periodic pass (and runs one now). */
  start(): void {
    const every = this.opts.intervalMs ?? 60_000;
    const tick = (): void => {
      if (this.closed) return;
      void this.kick();
      this.cancelTimer = this.opts.clock.setTimer(tick, every);
    };
    tick();
  }

  /** Keeps uris from deletion until untilMs (a replay playlist lists them). */
  lease(uris: readonly string[], untilMs: number): void {
    for (const u of uris) this.leases.set(u, Math.max(untilMs, this.leases.get(u) ?? 0));
  }

  /** True while uri is leased. */
  leased(uri: string): boolean {
    return (this.leases.get(uri) ?? 0) > this.opts.clock.now();
  }

  /** Runs a pass soon; resolves when the pass (and any asked for meanwhile) is done. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops the timer; resolves after a pass in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      this.dropExpiredLeases();
      while (!this.closed && (await this.pass()));
    } while (this.again && !this.closed);
  }

  private dropExpiredLeases(): void {
    const now = this.opts.clock.now();
    for (const [u, until] of this.leases) if (until <= now) this.leases.delete(u);
  }

  /** One batch; true when another batch may be due. */
  private async pass(): Promise<boolean> {
    const { index, store, logger } = this.opts;
    let oldest: RetainedSegment[];
    let total: number;
    try {
      oldest = index
        .oldestRetained(BATCH)
        .map((s) => ({ uri: s.uri, endMs: s.pdt + s.duration * 1000, bytes: s.bytes }));
      total = index.retainedBytes();
    } catch (e) {
      logger.warn(`retention: cannot read the segment index: ${errorMessage(e)}`);
      return false;
    }
    const plan = planRetention(oldest, total, {
      nowMs: this.opts.clock.now(),
      maxAgeMs: this.opts.maxAgeMs,
      maxBytes: this.opts.maxBytes,
      leased: (u) => this.leased(u),
    });
    if (plan.remove.length === 0) return false;
    const gone: string[] = [];
    for (const uri of plan.remove) {
      try {
        await store.remove(uri);
        gone.push(uri);
        this.opts.onDeleted?.(uri);
      } catch (e) {
        logger.warn(`retention: could not delete ${uri}: ${errorMessage(e)}`);
      }
    }
    try {
      index.removeSegments(gone);
    } catch (e) {
      logger.warn(`retention: cannot update the segment index: ${errorMessage(e)}`);
      return false;
    }
    logger.debug(`retention: deleted ${gone.length} segment(s), ${plan.keptBytes} bytes kept`);
    return plan.more && gone.length === plan.remove.length;
  }
}
