// src/scanner/sleeper.ts: Sleeper: waits on a Clock that can all be woken at once, so a lost link or close() ends a session's pauses.
import type { Clock } from '../clock.js';

/** Cancellable sleeps on one clock. */
export class Sleeper {
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  /** Resolves after ms, or earlier at wakeAll(). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        cancel();
        this.sleepers.delete(wake);
        resolve();
      };
      const cancel = this.clock.setTimer(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** Ends every pending sleep now. */
  wakeAll(): void {
    for (const w of [...this.sleepers]) w();
  }
}
