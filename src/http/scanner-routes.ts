// src/http/scanner-routes.ts: scannerRoutes: the /api/scanner router built from the scanner service: public status and events, token-guarded control.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Clock } from '../clock.js';
import { isAppError } from '../errors.js';
import { BodyError, CONTROL_BODY_LIMIT, jsonBody } from './body-limit.js';
import type { Logger } from '../logger.js';
import { isActionName, parseAction, parseChannelWrite, channelOf } from '../scanner/actions.js';
import { isAuthorized } from '../scanner/control-token.js';
import { EncodeError } from '../scanner/protocol.js';
import type { ScannerService } from '../scanner/scanner-service.js';
import { httpStatusOf, statusOfCode } from './error-status.js';
import { SseStreams } from './sse.js';

/** What the router uses of the scanner service. */
export type ScannerRouteSource = Pick<
  ScannerService,
  | 'status'
  | 'transmissions'
  | 'onStatus'
  | 'onTransmissions'
  | 'perform'
  | 'readChannel'
  | 'token'
  | 'profile'
  | 'limiter'
  | 'onClose'
>;

/** How the router runs. */
export interface ScannerRouteOptions {
  /** Drives the event streams' keep-alive comments. */
  clock: Clock;
  logger: Logger;
  /** Most concurrent event streams (default 100). */
  maxEventStreams?: number;
}

/** Builds the /api/scanner router; its event streams end when the service closes. */
export function scannerRoutes(scanner: ScannerRouteSource, opts: ScannerRouteOptions): Router {
  const router = express.Router();
  const streams = new SseStreams({ clock: opts.clock });
  scanner.onClose(() => streams.endAll());

  // Control bodies are small JSON objects; a larger announced body was refused with 413 before
  // this (body-limit.ts), and a chunked one is read no further than the limit.
  router.use(jsonBody(CONTROL_BODY_LIMIT));

  router.get('/', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(scanner.status());
  });

  router.get('/transmissions', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ transmissions: scanner.transmissions() });
  });

  router.get('/events', (_req, res) => {
    if (streams.size >= (opts.maxEventStreams ?? 100)) {
      res.status(503).json({ error: 'too many event streams' });
      return;
    }
    let offStatus = (): void => {};
    let offTx = (): void => {};
    const stream = streams.start(res, () => {
      offStatus();
      offTx();
    });
    stream.send('status', scanner.status());
    stream.send('transmissions', scanner.transmissions());
    offStatus = scanner.onStatus((s) => stream.send('status', s));
    offTx = scanner.onTransmissions((t) => stream.send('transmissions', t));
  });

  // Everything below is control: rate limit first (so token guessing is limited too), then auth.
  const guard = (req: Request, res: Response, next: NextFunction): void => {
    const d = scanner.limiter.take(req.ip ?? 'unknown');
    if (!d.ok) {
      res.set('Retry-After', String(d.retryAfterSec));
      res.status(429).json({ error: `too many control calls; retry in ${d.retryAfterSec} s` });
      return;
    }
    if (!isAuthorized(req.get('authorization'), scanner.token)) {
      res.set('WWW-Authenticate', 'Bearer realm="scanner"');
      res
        .status(401)
        .json({ error: 'scanner control needs the header Authorization: Bearer <token>' });
      return;
    }
    next();
  };

  router.get('/channels/:n', guard, async (req, res) => {
    const record = await scanner.readChannel(channelOf(req.params.n, true));
    res.json({ record });
  });

  router.put('/channels/:n', guard, async (req, res) => {
    const action = parseChannelWrite(req.params.n, req.body, scanner.profile);
    const result = await scanner.perform(action);
    res.json({ ok: true, ...result, status: scanner.status() });
  });

  router.post('/:action', guard, async (req, res) => {
    const name = String(req.params.action);
    if (!isActionName(name)) {
      res
        .status(404)
        .json({ error: `unknown scanner action ${JSON.stringify(name.slice(0, 40))}` });
      return;
    }
    const action = parseAction(name, req.body, scanner.profile);
    opts.logger.info('scanner control', { action: name, from: req.ip });
    const result = await scanner.perform(action);
    res.json({ ok: true, ...result, status: scanner.status() });
  });

  router.use((req, res) => {
    res.status(404).json({ error: `no scanner route ${req.method} ${req.path.slice(0, 60)}` });
  });

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // An EncodeError (a value the protocol cannot carry) is a bad request, like BadRequestError.
    const coded =
      err instanceof EncodeError
        ? { code: 'request.invalid', message: err.message }
        : isAppError(err)
          ? { code: err.code, message: err.message }
          : null;
    const byCode = coded ? statusOfCode(coded.code) : null;
    if (coded && byCode !== null) {
      res.status(byCode).json({ error: coded.message, code: coded.code });
      return;
    }
    // body-parser errors (bad JSON, too large) carry their own 4xx status.
    const status = httpStatusOf(err);
    if (status >= 400 && status < 500) {
      // The rest of a too-large body is never read: the connection closes (HTTP/1.1).
      if (status === 413 && req.httpVersionMajor < 2) res.set('Connection', 'close');
      res.status(status).json({
        error:
          status === 413
            ? `request body too large: at most ${CONTROL_BODY_LIMIT} bytes`
            : err instanceof BodyError
              ? err.message
              : 'request body must be a small JSON object',
      });
      return;
    }
    opts.logger.error('scanner route failed', { error: String(err) });
    res.status(500).json({ error: 'internal error' });
  });

  return router;
}
