// src/http/status-routes.ts: GET /api/status (JSON) and GET /api/events (Server-Sent Events) from the packager's status.
import express, { type Request, type Response, type Router } from 'express';
import { type Clock, systemClock } from '../clock.js';
import type { StreamStatus } from '../stream-status.js';
import { sseEvent, SseStreams } from './sse.js';

/** What the routes need from the packager (a Packager, or an EventEmitter with getStatus in tests). */
export interface StatusSource {
  getStatus(): StreamStatus;
  on(event: 'status', listener: (s: StreamStatus) => void): unknown;
  off(event: 'status', listener: (s: StreamStatus) => void): unknown;
}

export interface StatusRouteOptions {
  /** Drives the keep-alive comments (default the system clock). */
  clock?: Clock;
  /** Interval of the SSE comment that keeps proxies and phones from closing an idle stream. */
  keepAliveMs?: number;
  /** Most concurrent event streams; more get 503. */
  maxEventStreams?: number;
  /** Fields added to GET /status beside the stream's (relays, live audio, uploads, alerts when set). */
  extra?: () => Record<string, unknown>;
}

/** One SSE frame carrying a status snapshot. */
export function statusEvent(s: StreamStatus): string {
  return sseEvent('status', s);
}

/**
 * The /api router: GET /status and GET /events. Other /api paths fall through to later routers
 * (the scanner API is mounted at /api/scanner before this one).
 */
export function statusRoutes(source: StatusSource, opts: StatusRouteOptions = {}): Router {
  const maxStreams = opts.maxEventStreams ?? 200;
  const router = express.Router();
  const streams = new SseStreams({
    clock: opts.clock ?? systemClock,
    keepAliveMs: opts.keepAliveMs,
  });
  // One packager listener fans out to every open stream, so many listeners never trip
  // EventEmitter's leak warning; it is attached with the first stream and removed with the last.
  const broadcast = (s: StreamStatus): void => streams.broadcast(statusEvent(s));

  router.get('/status', (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ...source.getStatus(), ...opts.extra?.() });
  });

  router.get('/events', (_req: Request, res: Response) => {
    if (streams.size >= maxStreams) {
      res.setHeader('Retry-After', '30');
      res.status(503).json({ error: 'too many event streams' });
      return;
    }
    if (streams.size === 0) source.on('status', broadcast);
    const stream = streams.start(res, () => {
      if (streams.size === 0) source.off('status', broadcast);
    });
    stream.write(statusEvent(source.getStatus()));
  });

  return router;
}
