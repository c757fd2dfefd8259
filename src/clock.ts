// src/clock.ts: the injected wall clock and timers, so the core never reads Date.now() itself.

/** A source of wall-clock time and timers; tests pass a fake one. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs fn after delayMs; returns a cancel function. */
  setTimer(fn: () => void, delayMs: number): () => void;
}

/** The real clock. Timers are unref'd so they never keep the process alive on their own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, delayMs);
    t.unref();
    return () => clearTimeout(t);
  },
};
