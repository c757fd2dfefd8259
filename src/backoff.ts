// src/backoff.ts: Backoff (pure): growing retry delays for reconnecting sources, restarting encoders and upload retries.

/** Backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** First delay (default 500). */
  initialMs?: number;
  /** Largest delay (default 30000). */
  maxMs?: number;
  /** A run that lasted this long counts as healthy and resets the delay (default 30000). */
  healthyMs?: number;
}

/** Doubling delays from initialMs up to maxMs; reset after a run that lasted healthyMs. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly healthyMs: number;
  private failures = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 500;
    this.maxMs = opts.maxMs ?? 30_000;
    this.healthyMs = opts.healthyMs ?? 30_000;
  }

  /** The delay before the next attempt, given how long the last attempt ran (0 = failed at once). */
  next(ranMs: number): number {
    if (ranMs >= this.healthyMs) this.failures = 0;
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    return delay;
  }

  /** An attempt succeeded: the next failure waits initialMs again. */
  reset(): void {
    this.failures = 0;
  }
}
