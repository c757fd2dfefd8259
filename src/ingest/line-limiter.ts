// src/ingest/line-limiter.ts: LineLimiter (pure): splits a child's stderr into lines and lets a bounded number through per interval.

/** What to log: lines, and a count of lines dropped since the last report. */
export interface LimitedLines {
  lines: string[];
  dropped: number;
}

/** Splits chunks into lines (CR or LF) and passes at most maxLines per intervalMs; the rest are counted. */
export class LineLimiter {
  private partial = '';
  private windowStartMs = -Infinity;
  private passed = 0;
  private dropped = 0;

  constructor(
    private readonly maxLines = 20,
    private readonly intervalMs = 10_000,
  ) {}

  /** Feeds a chunk received at nowMs; returns the lines to log and how many were held back before. */
  push(chunk: string, nowMs: number): LimitedLines {
    const parts = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = (parts.pop() ?? '').slice(-4096);
    return this.take(parts, nowMs);
  }

  /** Flushes the unterminated last line (process exit). */
  flush(nowMs: number): LimitedLines {
    const rest = this.partial;
    this.partial = '';
    return this.take(rest ? [rest] : [], nowMs);
  }

  private take(lines: string[], nowMs: number): LimitedLines {
    const out: LimitedLines = { lines: [], dropped: 0 };
    for (const raw of lines) {
      const line = raw.trimEnd();
      if (!line) continue;
      if (nowMs - this.windowStartMs >= this.intervalMs) {
        out.dropped += this.dropped;
        this.dropped = 0;
        this.windowStartMs = nowMs;
        this.passed = 0;
      }
      if (this.passed < this.maxLines) {
        this.passed++;
        out.lines.push(line);
      } else this.dropped++;
    }
    return out;
  }
}
