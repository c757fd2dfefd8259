// src/scanner/rate-limit.ts: RateLimiter, an in-memory token bucket per client key for control calls.
import type { Clock } from '../clock.js';

/** Options of RateLimiter. */
export interface RateLimitOptions {
  /** Burst size: calls allowed at once (default 10). */
  capacity?: number;
  /** Sustained rate in calls per second (default 2). */
  perSecond?: number;
  /** Most keys tracked before full buckets are forgotten (default 10000). */
  maxKeys?: number;
}

/** Outcome of take(): allowed, or refused with the seconds to wait. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSec: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

/** A token bucket per key (e.g. client IP). Time comes from the injected clock. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly maxKeys: number;

  constructor(
    private readonly clock: Clock,
    opts: RateLimitOptions = {},
  ) {
    this.capacity = opts.capacity ?? 10;
    this.perMs = (opts.perSecond ?? 2) / 1000;
    this.maxKeys = opts.maxKeys ?? 10000;
  }

  /** Spends one call for key, if the bucket has one. */
  take(key: string): RateDecision {
    const now = this.clock.now();
    const b = this.refill(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000)) };
  }

  private refill(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      b = { tokens: this.capacity, atMs: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.capacity, b.tokens + (now - b.atMs) * this.perMs);
    b.atMs = now;
    return b;
  }

  /** Forgets buckets that have refilled completely (they behave like new ones). */
  private prune(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (now - b.atMs) * this.perMs >= this.capacity) this.buckets.delete(k);
    }
    // Still full of active clients: drop the oldest entries rather than grow without bound.
    for (const k of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(k);
    }
  }
}
