// src/http/app.ts: createApp: the Express application (no listen): the mounts in order (mounts.ts), a JSON 404, and the error handler.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { refuseOversizedBody } from './body-limit.js';
import { httpStatusOf } from './error-status.js';
import { onNodePrototypes } from './express-prototypes.js';

/** A handler (a router, or middleware such as helmet) and the path or paths it is mounted at. */
export interface Mount {
  path: string | string[];
  router: RequestHandler;
}

export interface AppDeps {
  /** Every router, mounted in this order (liveMounts in mounts.ts lists them for the live server). */
  mounts: Mount[];
  logger: Logger;
}

/** Builds the app. Errors become JSON { error } with a status from error-status.ts. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  // One prototype chain for /hls's requests and Express's (express-prototypes.ts says why).
  onNodePrototypes(app);
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  // Behind the shipped nginx config (deploy/nginx) requests arrive from loopback with
  // X-Forwarded-For: trust it from there only, so req.ip (rate limits, logs) is the listener's.
  app.set('trust proxy', 'loopback');
  // A body larger than its route allows (none, but for scanner control) gets 413 from the
  // headers, before anything reads it (body-limit.ts). The servers check this before the /hls
  // front handler too; here it also covers an app built alone.
  app.use((req, res, next) => {
    if (!refuseOversizedBody(req, res)) next();
  });
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
