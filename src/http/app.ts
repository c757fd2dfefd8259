// src/http/app.ts: createApp: the Express application (no listen): HLS, APIs, the page, and one error mapper.
import express, { type ErrorRequestHandler, type Router } from 'express';
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { hlsRoutes, type HlsRouteOptions } from './hls-routes.js';

/** A router and the path it is mounted at. */
export interface Mount {
  path: string;
  router: Router;
}

export interface AppDeps {
  hls: HlsRouteOptions;
  /** Further routers (status API, scanner API, the page), mounted in order after /hls. */
  mounts: Mount[];
  logger: Logger;
}

/** Builds the app. Errors become JSON { error } with a status from their code. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  // Behind the shipped nginx config (deploy/nginx) requests arrive from loopback with
  // X-Forwarded-For: trust it from there only, so req.ip (rate limits, logs) is the listener's.
  app.set('trust proxy', 'loopback');
  app.use('/hls', hlsRoutes(deps.hls));
  for (const m of deps.mounts) app.use(m.path, m.router);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const status = httpStatusOf(err);
    if (status >= 500) deps.logger.error(`HTTP handler failed: ${String(err)}`);
    const message =
      status >= 500 ? 'internal error' : err instanceof Error ? err.message : String(err);
    if (!res.headersSent) res.status(status).json({ error: message });
  };
  app.use(onError);
  return app;
}

/** The HTTP status for an error thrown by a handler or by express.json(). */
export function httpStatusOf(err: unknown): number {
  if (isAppError(err)) {
    if (err.code === 'request.invalid') return 400;
    if (err.code === 'auth.required') return 401;
    if (err.code === 'rate.limited') return 429;
    if (err.code === 'not.found') return 404;
    if (err.code === 'unavailable') return 503;
  }
  if (typeof err === 'object' && err !== null && 'status' in err) {
    const s = err.status;
    if (typeof s === 'number' && s >= 400 && s < 600) return s;
  }
  return 500;
}
