// test/integration/scanner-pty.ts: helpers for scanner tests: a socat pty pair that can be unplugged and replugged, and status waits.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import type { ScannerStatus } from '../../src/scanner/scanner-status.js';

/** A socat-made pty pair linked at `a` and `b`; stop() models unplugging, start() replugging. */
export class PtyPair {
  private child: ChildProcess | null = null;

  constructor(
    readonly a: string,
    readonly b: string,
  ) {}

  async start(): Promise<void> {
    this.child = spawn(
      '/usr/bin/socat',
      [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`],
      {
        stdio: 'ignore',
      },
    );
    await deadline(() => existsSync(this.a) && existsSync(this.b), 5000, 'socat links');
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c || c.exitCode !== null) return;
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    await exited;
  }
}

/** Polls cond every 20 ms until true; rejects after ms. For state with no event to await. */
export async function deadline(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Something that reports status changes (ScannerController or ScannerService). */
export interface StatusSource {
  status(): ScannerStatus;
  onStatus(fn: (s: ScannerStatus) => void): () => void;
}

/** Resolves with the first status (current or coming) that satisfies pred; rejects after ms. */
export function statusWhere(
  src: StatusSource,
  pred: (s: ScannerStatus) => boolean,
  ms: number,
  what: string,
): Promise<ScannerStatus> {
  return new Promise((resolve, reject) => {
    if (pred(src.status())) {
      resolve(src.status());
      return;
    }
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(
          `timed out after ${ms} ms waiting for ${what}; last status ${JSON.stringify(src.status())}`,
        ),
      );
    }, ms);
    const off = src.onStatus((s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}
