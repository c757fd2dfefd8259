// src/outbound/retry.ts: what the outbound senders (uploader, call uploader, notifier) share between attempts: which HTTP statuses are not worth retrying, and a backoff sleep that close() can cut short.
import type { Clock } from '../clock.js';

/**
 * Statuses that retrying the same request cannot fix: 4xx, except 408 Request Timeout and
 * 429 Too Many Requests (RFC 9110 §15.5.9, RFC 6585 §4), which ask for a later retry.
 */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** One sleep at a time on the injected clock; wake() ends the current one at once (close()). */
export class WakeableSleep {
  private endSleep: (() => void) | null = null;

  constructor(private readonly clock: Clock) {}

  /** Resolves after ms, or sooner when wake() is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.clock.setTimer(() => done(), ms);
      const done = (): void => {
        cancel();
        this.endSleep = null;
        resolve();
      };
      this.endSleep = done;
    });
  }

  /** Ends the sleep in progress, if any. */
  wake(): void {
    this.endSleep?.();
  }
}
