// src/http/server-limits.ts: applyServerLimits: header, request and keep-alive timeouts and a slow-reader watchdog for the node:http and the secure (HTTP/2) server.
import type { Server as NetServer } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, systemClock } from '../clock.js';
import { refuseOversizedBody } from './body-limit.js';

/** The bounds a server applies to its clients. */
export interface ServerLimits {
  /**
   * Longest time a client may take to send a request's headers (node's headersTimeout: "the
   * amount of time the parser will wait to receive the complete HTTP headers"). A slowloris
   * client (a header byte every few seconds) is answered 408 and closed after this.
   */
  headersTimeoutMs: number;
  /**
   * Longest time to receive the whole request, headers and body (node's requestTimeout). It
   * stops counting once the request is in, so held LL-HLS reloads (up to 3 target durations)
   * and Server-Sent Events are not cut by it: only the watchdog below watches responses.
   */
  requestTimeoutMs: number;
  /** Idle time a kept-alive connection waits for its next request (longer than the usual 60 s of a proxy's pool). */
  keepAliveTimeoutMs: number;
  /** How often node checks the header and request timeouts of open connections. */
  connectionsCheckingIntervalMs: number;
  /** Most header lines in one request (node's default is 2000). */
  maxHeadersCount: number;
  /**
   * A response whose write buffer holds data and has not drained for this long is a reader
   * that stopped reading (or reads at a few bytes a second): the watchdog destroys it. A long
   * response that keeps draining (SSE, a held playlist, a slow but real download) is left alone.
   */
  stallMs: number;
}

/** The defaults of the live server. */
export const SERVER_LIMITS: Readonly<ServerLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  connectionsCheckingIntervalMs: 1_000,
  maxHeadersCount: 100,
  stallMs: 30_000,
};

/** What the watchdog reads of a response: node:http's ServerResponse and HTTP/2's compat response both have it. */
export interface WatchedResponse {
  /** Bytes written but not yet handed to the kernel (node:http counts its socket's buffer too). */
  readonly writableLength: number;
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  on(event: 'drain' | 'close' | 'finish', fn: () => void): unknown;
  destroy(): unknown;
}

/**
 * The watchdog's decision for one response: stalled when bytes are waiting and the buffer has
 * not drained (emptied) since lastDrainMs for longer than stallMs.
 */
export function isStalled(
  pendingBytes: number,
  lastDrainMs: number,
  nowMs: number,
  stallMs: number,
): boolean {
  return pendingBytes > 0 && nowMs - lastDrainMs > stallMs;
}

interface Watch {
  res: WatchedResponse;
  lastDrainMs: number;
}

/** Watches responses and destroys those whose client stopped reading (isStalled). */
export class SlowReaderWatchdog {
  private readonly watched = new Set<Watch>();
  private cancelTick: (() => void) | null = null;
  private closed = false;
  /** Responses destroyed as stalled so far. */
  dropped = 0;

  constructor(
    private readonly stallMs: number,
    private readonly clock: Clock = systemClock,
    private readonly onDrop?: () => void,
  ) {}

  /** Responses being watched now. */
  get size(): number {
    return this.watched.size;
  }

  /** Watches res until it finishes or closes. */
  watch(res: WatchedResponse): void {
    if (this.closed) return;
    const w: Watch = { res, lastDrainMs: this.clock.now() };
    this.watched.add(w);
    res.on('drain', () => {
      w.lastDrainMs = this.clock.now();
    });
    const forget = (): void => {
      this.watched.delete(w);
    };
    res.on('finish', forget);
    res.on('close', forget);
    this.schedule();
  }

  /** Stops watching (the server is closing). */
  close(): void {
    this.closed = true;
    this.cancelTick?.();
    this.cancelTick = null;
    this.watched.clear();
  }

  /** One check now (tests call it with a fake clock; the timer calls it every stallMs / 4). */
  check(): void {
    const now = this.clock.now();
    for (const w of [...this.watched]) {
      const { res } = w;
      if (res.destroyed) {
        this.watched.delete(w);
        continue;
      }
      // A response that has finished may still sit in the kernel: that is the keep-alive
      // timeout's business, not ours.
      if (res.writableFinished) continue;
      const pending = res.writableLength;
      if (pending === 0) w.lastDrainMs = now;
      else if (isStalled(pending, w.lastDrainMs, now, this.stallMs)) {
        this.watched.delete(w);
        this.dropped++;
        this.onDrop?.();
        res.destroy();
      }
    }
  }

  private schedule(): void {
    if (this.cancelTick || this.closed) return;
    const every = Math.max(50, Math.floor(this.stallMs / 4));
    this.cancelTick = this.clock.setTimer(() => {
      this.cancelTick = null;
      this.check();
      if (this.watched.size > 0) this.schedule();
    }, every);
  }
}

/**
 * A node:http server or HTTP/2's secure server (both are net.Servers); node's HTTP/1 code reads
 * these settings from the secure server too for HTTP/1.1 over TLS.
 */
type LimitedServer = NetServer;

/** Options of applyServerLimits. */
export interface ApplyLimitsOptions {
  clock?: Clock;
  /** Called each time the watchdog drops a stalled response (a metric or a log line). */
  onSlowReaderDropped?: () => void;
}

/**
 * Sets the timeouts on server and starts the slow-reader watchdog on its requests. Call it
 * before listen(): node starts its connection checks when the server starts listening. The
 * watchdog stops when the server closes.
 */
export function applyServerLimits(
  server: LimitedServer,
  limits: Partial<ServerLimits> = {},
  opts: ApplyLimitsOptions = {},
): SlowReaderWatchdog {
  const l: ServerLimits = { ...SERVER_LIMITS, ...limits };
  // node: "It must be set to a non-zero value (e.g. 120 seconds) to protect against potential
  // Denial-of-Service attacks in case the server is deployed without a reverse proxy in front."
  Object.assign(server, {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    connectionsCheckingInterval: l.connectionsCheckingIntervalMs,
    maxHeadersCount: l.maxHeadersCount,
  });
  const watchdog = new SlowReaderWatchdog(l.stallMs, opts.clock, opts.onSlowReaderDropped);
  // A response already flushed (most answers from memory) has nothing left to stall on.
  server.on('request', (_req: unknown, res: WatchedResponse) => {
    if (!res.writableFinished) watchdog.watch(res);
  });
  // With no 'checkContinue' listener node answers "100 Continue" itself before any handler
  // runs, inviting the body; a body too large is refused here first (RFC 9110 §10.1.1: a server
  // may "respond with a final status code, without reading the content").
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (refuseOversizedBody(req, res)) return;
    res.writeContinue();
    server.emit('request', req, res);
  });
  server.once('close', () => watchdog.close());
  return watchdog;
}
