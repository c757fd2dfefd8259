// test/helpers/fake-clock.ts: a manual Clock for tests; advance() runs due timers in order and lets promises settle.
import { setImmediate as tick } from 'node:timers/promises';
import type { Clock } from '../../src/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A Clock whose time moves only when the test says so. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, delayMs: number): () => void {
    const timer = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Moves time forward by ms, firing each due timer at its own time and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const next = this.timers
        .filter((x) => x.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = end;
  }

  /** Moves time forward by ms without firing timers, as a blocked event loop does; advance() then fires them late. */
  stall(ms: number): void {
    this.t += ms;
  }

  /** Advances in steps until cond() holds; throws after limitMs of fake time. */
  async until(cond: () => boolean, limitMs = 60000, stepMs = 10): Promise<void> {
    for (let spent = 0; !cond(); spent += stepMs) {
      if (spent > limitMs) throw new Error(`condition not met within ${limitMs} ms of fake time`);
      await this.advance(stepMs);
    }
  }
}

/** Advances the clock in steps until promise settles; returns (or throws) its outcome. */
export async function during<T>(
  clock: FakeClock,
  promise: Promise<T>,
  limitMs = 60000,
): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  await clock.until(() => done, limitMs);
  return watched;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}
