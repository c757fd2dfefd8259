// src/http/status-routes.ts: GET /api/status (JSON) and GET /api/events (Server-Sent Events) from the packager's status.
import express, { type Request, type Response, type Router } from 'express';
import helmet from 'helmet';
import type { StreamStatus } from '../stream-status.js';

/** What the routes need from the packager (a Packager, or an EventEmitter with getStatus in tests). */
export interface StatusSource {
  getStatus(): StreamStatus;
  on(event: 'status', listener: (s: StreamStatus) => void): unknown;
  off(event: 'status', listener: (s: StreamStatus) => void): unknown;
}

export interface StatusRouteOptions {
  /** Interval of the SSE comment that keeps proxies and phones from closing an idle stream. */
  keepAliveMs?: number;
  /** Most concurrent event streams; more get 503. */
  maxEventStreams?: number;
}

export const SSE_KEEP_ALIVE_MS = 15_000;
/** How long EventSource waits before reconnecting (sent as the SSE retry field). */
export const SSE_RETRY_MS = 3_000;

/** JSON-only responses: nothing may be rendered, framed or loaded from them. */
const apiHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  // TLS, when there is any, is terminated in front of us; the proxy owns HSTS.
  strictTransportSecurity: false,
});

/** One SSE frame carrying a status snapshot. */
export function statusEvent(s: StreamStatus): string {
  return `event: status\ndata: ${JSON.stringify(s)}\n\n`;
}

/**
 * The /api router: GET /status and GET /events. Other /api paths fall through to later routers
 * (the scanner API is mounted at /api/scanner after this one).
 */
export function statusRoutes(source: StatusSource, opts: StatusRouteOptions = {}): Router {
  const keepAliveMs = opts.keepAliveMs ?? SSE_KEEP_ALIVE_MS;
  const maxStreams = opts.maxEventStreams ?? 200;
  const router = express.Router();
  // One packager listener fans out to every open stream, so many listeners never trip
  // EventEmitter's leak warning; it is attached with the first stream and removed with the last.
  const clients = new Set<Response>();
  const broadcast = (s: StreamStatus): void => {
    const frame = statusEvent(s);
    for (const res of clients) res.write(frame);
  };

  router.get('/status', apiHeaders, (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(source.getStatus());
  });

  router.get('/events', apiHeaders, (_req: Request, res: Response) => {
    if (clients.size >= maxStreams) {
      res.setHeader('Retry-After', '30');
      res.status(503).json({ error: 'too many event streams' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // nginx would otherwise buffer the stream and deliver updates late.
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${SSE_RETRY_MS}\n\n`);
    res.write(statusEvent(source.getStatus()));
    if (clients.size === 0) source.on('status', broadcast);
    clients.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    res.on('close', () => {
      clearInterval(keepAlive);
      clients.delete(res);
      if (clients.size === 0) source.off('status', broadcast);
    });
  });

  return router;
}
