// src/notify/token-bucket.ts: TokenBucket (pure): at most `burst` sends at once, refilled at `perSec`, with the wait until the next token.

/** A token bucket; times are passed in (ms), so it is pure. */
export class TokenBucket {
  private tokens: number;
  private atMs: number | null = null;

  constructor(
    private readonly perSec: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  private refill(nowMs: number): void {
    if (this.atMs !== null)
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.atMs) / 1000) * this.perSec);
    this.atMs = nowMs;
  }

  /** Takes a token if there is one. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is there (0 when one is). */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSec) * 1000);
  }
}
