// src/notify/notifier.ts: Notifier: one --notify target: filtered call start/end alerts through a bounded in-memory queue, rate-limited (token bucket) and retried, never awaited by the caller.
import { Backoff } from '../backoff.js';
import type { CallRow } from '../calls/call-format.js';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { type NotifyKind, notifyEvent, ntfyMessage, passes } from './notify-event.js';
import type { NotifySpec } from './notify-spec.js';
import { TokenBucket } from './token-bucket.js';
import { splitUrlAuth } from './url-auth.js';
import { isPermanentStatus, WakeableSleep } from '../outbound/retry.js';

/** The HTTP call (global fetch by default). */
export type NotifyFetch = (
  url: string,
  init: RequestInit,
) => Promise<{ status: number; text?: () => Promise<string> }>;

export interface NotifierOptions {
  spec: NotifySpec;
  /** --stream, named in JSON events. */
  stream: string;
  clock: Clock;
  logger: Logger;
  /** Sends per second and at once (default 1/s, burst 5). */
  rate?: { perSec: number; burst: number };
  /** Most alerts waiting; beyond it the oldest is dropped (default 50). */
  maxQueue?: number;
  /** Tries per alert (default 4). */
  attempts?: number;
  /** Retry delays (default 1 s doubling to 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Per-request timeout (default 5 s): an endpoint that never answers holds one alert that long. */
  timeoutMs?: number;
  fetch?: NotifyFetch;
}

/** Counters for /api/status and /metrics. */
export interface NotifierStats {
  target: string;
  queued: number;
  sent: number;
  /** Alerts given up after every try failed. */
  failed: number;
  /** Alerts dropped because the queue was full. */
  dropped: number;
  /** Alerts that waited for the rate limit. */
  delayed: number;
}

interface Alert {
  kind: NotifyKind;
  call: CallRow;
  tries: number;
  /** It waited for the rate limit (counted once). */
  waited: boolean;
}

/** Calls remembered as started, at most. */
const STARTED_MAX = 1000;

/** Log lines about a failing endpoint at most this often. */
const LOG_EVERY_MS = 60_000;

/**
 * call() filters and queues an alert and returns at once: alerts go out one at a time, in
 * order, as the token bucket allows; a failed one is retried with backoff up to `attempts`
 * times; a full queue drops its oldest. Failures are logged at most once a minute.
 */
export class Notifier {
  private readonly queue: Alert[] = [];
  private readonly bucket: TokenBucket;
  private readonly backoff: Backoff;
  private readonly fetchFn: NotifyFetch;
  private readonly counts = { sent: 0, failed: 0, dropped: 0, delayed: 0 };
  private running = false;
  private closed = false;
  private readonly sleeper: WakeableSleep;
  private lastLogMs = -Infinity;
  private readonly idleFns: (() => void)[] = [];
  /** Calls whose start was queued (their end is sent too). */
  private readonly started = new Set<number>();
  private readonly target: { url: string; authorization: string | null };
  /** Aborts the request in flight (close()). */
  private inflight: AbortController | null = null;

  constructor(private readonly opts: NotifierOptions) {
    const r = opts.rate ?? { perSec: 1, burst: 5 };
    this.bucket = new TokenBucket(r.perSec, r.burst);
    const b = opts.backoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.backoff = new Backoff({ ...b, healthyMs: Infinity });
    this.fetchFn = opts.fetch ?? ((url, init) => fetch(url, init));
    this.sleeper = new WakeableSleep(opts.clock);
    this.target = splitUrlAuth(opts.spec.url);
  }

  get display(): string {
    return this.opts.spec.display;
  }

  /** A call started or ended: queues its alert when the filters let it through. */
  call(kind: NotifyKind, row: CallRow): void {
    if (this.closed) return;
    // A call's end follows its start even when what let the start through changed since.
    const started = this.started.has(row.id);
    if (kind === 'call_end') this.started.delete(row.id);
    if (!started && !passes(this.opts.spec.filters, row)) return;
    if (kind === 'call_start') {
      this.started.add(row.id);
      for (const id of this.started) {
        if (this.started.size <= STARTED_MAX) break;
        this.started.delete(id);
      }
    }
    this.queue.push({ kind, call: row, tries: 0, waited: false });
    const max = this.opts.maxQueue ?? 50;
    while (this.queue.length > max) {
      this.queue.shift();
      this.counts.dropped++;
      this.note(`alert queue full (${max}): dropped the oldest (${this.counts.dropped} so far)`);
    }
    if (!this.running) void this.run();
  }

  stats(): NotifierStats {
    return { target: this.display, queued: this.queue.length, ...this.counts };
  }

  /** Resolves once the queue is empty (tests). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.running) return Promise.resolve();
    return new Promise((r) => this.idleFns.push(r));
  }

  /** Stops; alerts still queued are dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.inflight?.abort();
    this.sleeper.wake();
    for (const f of this.idleFns.splice(0)) f();
  }

  private note(line: string): void {
    const now = this.opts.clock.now();
    if (now - this.lastLogMs < LOG_EVERY_MS) return;
    this.lastLogMs = now;
    this.opts.logger.warn(`${this.display}: ${line}`);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed) {
        const alert = this.queue[0];
        if (!alert) break;
        const wait = this.bucket.waitMs(this.opts.clock.now());
        if (wait > 0) {
          if (!alert.waited) this.counts.delayed++;
          alert.waited = true;
          await this.sleeper.sleep(wait);
          continue;
        }
        this.bucket.take(this.opts.clock.now());
        const outcome = await this.send(alert);
        if (this.closed) break;
        if (outcome === 'sent') {
          this.backoff.reset();
          this.counts.sent++;
          this.drop(alert);
          continue;
        }
        alert.tries++;
        if (outcome === 'permanent' || alert.tries >= (this.opts.attempts ?? 4)) {
          this.counts.failed++;
          this.note(`gave up on a ${alert.kind} alert after ${alert.tries} tries`);
          this.drop(alert);
          continue;
        }
        await this.sleeper.sleep(this.backoff.next(0));
      }
    } catch (e) {
      this.opts.logger.error(`${this.display}: notifier stopped unexpectedly: ${errorMessage(e)}`);
    } finally {
      this.running = false;
    }
    for (const f of this.idleFns.splice(0)) f();
  }

  private drop(alert: Alert): void {
    const i = this.queue.indexOf(alert);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private async send(alert: Alert): Promise<'sent' | 'retry' | 'permanent'> {
    const { spec, stream } = this.opts;
    const init: RequestInit =
      spec.format === 'ntfy'
        ? (() => {
            const m = ntfyMessage(alert.kind, alert.call, spec.base);
            return { method: 'POST', body: m.body, headers: m.headers };
          })()
        : {
            method: 'POST',
            body: JSON.stringify(notifyEvent(alert.kind, alert.call, stream, spec.base)),
            headers: { 'Content-Type': 'application/json' },
          };
    const headers = new Headers(init.headers);
    if (this.target.authorization) headers.set('Authorization', this.target.authorization);
    const ctrl = new AbortController();
    this.inflight = ctrl;
    try {
      const res = await this.fetchFn(this.target.url, {
        ...init,
        headers,
        signal: AbortSignal.any([ctrl.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 5000)]),
      });
      // Read the reply so the connection is free again (the timeout covers a body that never ends).
      await res.text?.().catch(() => '');
      if (res.status < 300) return 'sent';
      if (isPermanentStatus(res.status)) {
        this.note(`HTTP ${res.status} for a ${alert.kind} alert; not retried`);
        return 'permanent';
      }
      this.note(`HTTP ${res.status}; retrying`);
      return 'retry';
    } catch (e) {
      this.note(`${errorMessage(e)}; retrying`);
      return 'retry';
    } finally {
      this.inflight = null;
    }
  }
}
