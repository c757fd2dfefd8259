// src/log-throttle.ts: LogThrottle (pure): one log line per key per interval, with a count of the lines held back.

/** Lets one message per key through each interval; the rest are counted and reported with the next one. */
export class LogThrottle {
  private readonly keys = new Map<string, { lastMs: number; suppressed: number }>();

  constructor(private readonly intervalMs = 10_000) {}

  /** The line to log for key at nowMs (with "(N more like it …)" appended), or null to stay quiet. */
  pass(key: string, message: string, nowMs: number): string | null {
    const k = this.keys.get(key) ?? { lastMs: -Infinity, suppressed: 0 };
    this.keys.set(key, k);
    if (nowMs - k.lastMs < this.intervalMs) {
      k.suppressed++;
      return null;
    }
    const more = k.suppressed ? ` (${k.suppressed} more like it since the last report)` : '';
    k.lastMs = nowMs;
    k.suppressed = 0;
    return message + more;
  }
}
