// src/upload/uploader.ts: Uploader: mirrors segments and the playlist to an HTTP origin (WebDAV PUT/DELETE) through a bounded, ordered queue with retries.
import { readFile } from 'node:fs/promises';
import type { Clock } from '../clock.js';
import { Backoff } from '../backoff.js';
import { errorMessage } from '../errors.js';
import { PLAYLIST_TYPE, SEGMENT_TYPE } from '../hls/media-types.js';
import type { Logger } from '../logger.js';
import type { PackagerEvents } from '../packager.js';
import { isPermanentStatus, WakeableSleep } from '../outbound/retry.js';

/** One request for the origin. */
export type UploadJob =
  | { kind: 'segment'; name: string; path: string }
  | { kind: 'playlist'; name: string; text: string }
  | { kind: 'delete'; name: string };

/** The HTTP call the uploader makes (global fetch by default; tests may wrap it). */
export type FetchLike = (url: string, init: RequestInit) => Promise<{ status: number }>;

export interface UploaderOptions {
  /** Origin directory URL, e.g. http://origin/hls/ (a trailing slash is added). */
  baseUrl: string;
  clock: Clock;
  logger: Logger;
  /** Most jobs waiting; beyond it the oldest is dropped (default 200). */
  maxQueue?: number;
  /** Retry delays: doubling from initialMs up to maxMs (default 500 ms to 15 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** Counters for /metrics. */
export interface UploaderStats {
  queued: number;
  uploaded: number;
  failures: number;
  dropped: number;
}

/**
 * Sends jobs one at a time in the order the packager produced them, so a segment is on the
 * origin before the playlist that lists it, and deletions follow the availability time. A
 * failing request is retried with backoff and holds the queue; when the queue is full the
 * oldest job is dropped (and logged). Nothing here blocks or throws into the packager.
 */
export class Uploader {
  private readonly queue: UploadJob[] = [];
  private readonly base: string;
  private readonly maxQueue: number;
  private readonly backoff: Backoff;
  private readonly timeoutMs: number;
  private readonly fetchFn: FetchLike;
  private readonly counts = { uploaded: 0, failures: 0, dropped: 0 };
  private running = false;
  private closed = false;
  /** Ends the backoff sleep now (close() only: a new job does not cut the backoff short). */
  private readonly sleeper: WakeableSleep;
  private lastDropLogMs = -Infinity;
  private dropsSinceLog = 0;
  private idleFns: (() => void)[] = [];

  constructor(private readonly opts: UploaderOptions) {
    this.base = opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`;
    this.maxQueue = opts.maxQueue ?? 200;
    const b = opts.backoff ?? { initialMs: 500, maxMs: 15_000 };
    // Only a success resets the delay (healthyMs never reached).
    this.backoff = new Backoff({ ...b, healthyMs: Infinity });
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchFn = opts.fetch ?? ((url, init) => fetch(url, init));
    this.sleeper = new WakeableSleep(opts.clock);
  }

  /** Subscribes to a packager's events; returns the unsubscribe function. */
  attach(p: {
    on<K extends keyof PackagerEvents>(e: K, fn: (...a: PackagerEvents[K]) => void): unknown;
    off<K extends keyof PackagerEvents>(e: K, fn: (...a: PackagerEvents[K]) => void): unknown;
  }): () => void {
    // A segment in a memory store has no file; only files on disk are mirrored.
    const seg = (s: PackagerEvents['segment-written'][0]): void => {
      if (s.path !== null) this.enqueue({ kind: 'segment', name: s.name, path: s.path });
    };
    const pl = (s: PackagerEvents['playlist-written'][0]): void =>
      this.enqueue({ kind: 'playlist', name: s.name, text: s.text });
    const del = (s: PackagerEvents['segment-deleted'][0]): void =>
      this.enqueue({ kind: 'delete', name: s.name });
    p.on('segment-written', seg);
    p.on('playlist-written', pl);
    p.on('segment-deleted', del);
    return () => {
      p.off('segment-written', seg);
      p.off('playlist-written', pl);
      p.off('segment-deleted', del);
    };
  }

  /** Queues a job (never blocks). A newer playlist replaces a queued older one, at the end. */
  enqueue(job: UploadJob): void {
    if (this.closed) return;
    if (job.kind === 'playlist') {
      // Index 0 may be in flight; later queued copies of the playlist are superseded.
      for (let i = this.queue.length - 1; i >= 1; i--) {
        const q = this.queue[i];
        if (q?.kind === 'playlist' && q.name === job.name) this.queue.splice(i, 1);
      }
    }
    this.queue.push(job);
    while (this.queue.length > this.maxQueue) {
      this.queue.shift();
      this.noteDrop();
    }
    if (!this.running) void this.run();
  }

  /** Queue length and counters. */
  stats(): UploaderStats {
    return { queued: this.queue.length, ...this.counts };
  }

  /** Resolves once the queue is empty. */
  idle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleFns.push(r));
  }

  /** Gives the queue up to flushMs to drain (e.g. the final playlist), then stops. */
  async close(flushMs = 2000): Promise<void> {
    let cancel = (): void => {};
    await Promise.race([
      this.idle(),
      new Promise<void>((r) => {
        cancel = this.opts.clock.setTimer(r, flushMs);
      }),
    ]);
    cancel();
    this.closed = true;
    this.sleeper.wake();
    this.queue.length = 0;
    for (const f of this.idleFns.splice(0)) f();
  }

  private noteDrop(): void {
    this.counts.dropped++;
    this.dropsSinceLog++;
    const now = this.opts.clock.now();
    if (now - this.lastDropLogMs >= 10_000) {
      this.opts.logger.warn(
        `upload queue full (${this.maxQueue}): dropped ${this.dropsSinceLog} oldest job(s); is the origin ${this.base} down?`,
      );
      this.lastDropLogMs = now;
      this.dropsSinceLog = 0;
    }
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed) {
        const job = this.queue[0];
        if (!job) {
          for (const f of this.idleFns.splice(0)) f();
          break;
        }
        const outcome = await this.send(job);
        if (this.closed) break;
        if (outcome === 'retry') {
          this.counts.failures++;
          await this.sleeper.sleep(this.backoff.next(0));
          continue; // the head may have been dropped meanwhile; take whatever is first now
        }
        this.backoff.reset();
        if (this.queue[0] === job) this.queue.shift();
      }
    } catch (e) {
      this.opts.logger.error(`uploader stopped unexpectedly: ${errorMessage(e)}`);
    } finally {
      this.running = false;
    }
    if (!this.closed && this.queue.length) void this.run();
  }

  /** One attempt: 'done' (sent or not worth retrying) or 'retry'. */
  private async send(job: UploadJob): Promise<'done' | 'retry'> {
    const url = this.base + encodeURIComponent(job.name);
    let init: RequestInit;
    if (job.kind === 'delete') init = { method: 'DELETE' };
    else if (job.kind === 'playlist') {
      init = { method: 'PUT', body: job.text, headers: { 'Content-Type': PLAYLIST_TYPE } };
    } else {
      let body: Uint8Array<ArrayBuffer>;
      try {
        body = new Uint8Array(await readFile(job.path));
      } catch (e) {
        // Already deleted locally (a long outage): nothing to upload.
        this.opts.logger.debug(`not uploading ${job.name}: ${errorMessage(e)}`);
        return 'done';
      }
      init = { method: 'PUT', body, headers: { 'Content-Type': SEGMENT_TYPE } };
    }
    let status: number;
    try {
      status = (await this.fetchFn(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) }))
        .status;
    } catch (e) {
      this.opts.logger.warn(`${init.method} ${url} failed: ${errorMessage(e)}; will retry`);
      return 'retry';
    }
    if (status < 300 || (job.kind === 'delete' && (status === 404 || status === 410))) {
      this.counts.uploaded++;
      return 'done';
    }
    if (isPermanentStatus(status)) {
      this.counts.failures++;
      this.opts.logger.error(`${init.method} ${url}: HTTP ${status}; skipping this file`);
      return 'done';
    }
    this.opts.logger.warn(`${init.method} ${url}: HTTP ${status}; will retry`);
    return 'retry';
  }
}
