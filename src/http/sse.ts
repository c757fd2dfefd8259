// src/http/sse.ts: Server-Sent Events for the API routes: headers, retry field, keep-alive comments on the injected clock, events, cleanup on close.
import type { Response } from 'express';
import type { Clock } from '../clock.js';

/** Interval of the SSE comment that keeps proxies and phones from closing an idle stream. */
export const SSE_KEEP_ALIVE_MS = 15_000;
/** How long EventSource waits before reconnecting (sent as the SSE retry field). */
export const SSE_RETRY_MS = 3_000;
/**
 * Most bytes an event stream may have waiting for a client that does not read. Events are
 * written whatever the client does, so without a bound its buffer grows with every event; a
 * client this far behind is dropped (EventSource reconnects by itself and gets a fresh status).
 * The slow-reader watchdog (server-limits.ts) drops one that stops draining for long, too.
 */
export const SSE_MAX_BUFFERED_BYTES = 256 * 1024;

/** One SSE frame: a named event whose data is the JSON of data. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** One open event stream. */
export interface SseStream {
  /** Writes one event with JSON data. */
  send(event: string, data: unknown): void;
  /** Writes a frame already made by sseEvent (a fan-out builds it once for every stream). */
  write(frame: string): void;
  /** Ends the response; the close handlers run as when the client leaves. */
  end(): void;
}

/** How a group of streams behaves. */
export interface SseOptions {
  clock: Clock;
  /** Interval of keep-alive comments (default SSE_KEEP_ALIVE_MS). */
  keepAliveMs?: number;
  /** Bytes a stream may have waiting before it is dropped (default SSE_MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
}

/**
 * The open event streams of one route. open() starts a stream on a response; it leaves the
 * group, its keep-alive timer is cancelled and onClose runs once the response closes.
 */
export class SseStreams {
  private readonly open = new Set<SseStream>();

  constructor(private readonly opts: SseOptions) {}

  /** Streams open now. */
  get size(): number {
    return this.open.size;
  }

  /** Starts an event stream on res (200, event-stream headers, the retry field). */
  start(res: Response, onClose?: () => void): SseStream {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // nginx would otherwise buffer the stream and deliver updates late.
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${SSE_RETRY_MS}\n\n`);
    const put = (frame: string): void => {
      if (res.destroyed) return;
      if (res.writableLength > (this.opts.maxBufferedBytes ?? SSE_MAX_BUFFERED_BYTES)) {
        res.destroy();
        return;
      }
      res.write(frame);
    };
    const stream: SseStream = {
      send: (event, data) => put(sseEvent(event, data)),
      write: put,
      end: () => void res.end(),
    };
    const keepAliveMs = this.opts.keepAliveMs ?? SSE_KEEP_ALIVE_MS;
    let cancelBeat = (): void => {};
    const beat = (): void => {
      put(': keep-alive\n\n');
      cancelBeat = this.opts.clock.setTimer(beat, keepAliveMs);
    };
    cancelBeat = this.opts.clock.setTimer(beat, keepAliveMs);
    this.open.add(stream);
    res.on('close', () => {
      cancelBeat();
      this.open.delete(stream);
      onClose?.();
    });
    return stream;
  }

  /** Writes one frame (from sseEvent) to every open stream. */
  broadcast(frame: string): void {
    for (const s of this.open) s.write(frame);
  }

  /** Ends every open stream (so an HTTP server can close). */
  endAll(): void {
    for (const s of [...this.open]) s.end();
  }
}
