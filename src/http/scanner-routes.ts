// src/http/scanner-routes.ts: the Express router mounted at /api/scanner: public status and events, token-guarded control.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Clock } from '../clock.js';
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isActionName, parseAction, parseChannelWrite, channelOf } from '../scanner/actions.js';
import { isAuthorized } from '../scanner/control-token.js';
import type { ScannerProfile } from '../scanner/profile.js';
import { EncodeError } from '../scanner/protocol.js';
import type { RateLimiter } from '../scanner/rate-limit.js';
import type { ScannerController } from '../scanner/scanner-controller.js';

/** What the router needs from the rest of the scanner service. */
export interface ScannerRouteDeps {
  controller: Pick<
    ScannerController,
    'status' | 'transmissions' | 'onStatus' | 'onTransmissions' | 'perform' | 'readChannel'
  >;
  token: string;
  profile: ScannerProfile;
  limiter: RateLimiter;
  clock: Clock;
  logger: Logger;
  /** Most concurrent event streams (default 100). */
  maxEventStreams?: number;
}

/** HTTP status per error code (scanner-errors.ts, errors.ts). */
const STATUS_BY_CODE: Record<string, number> = {
  'request.invalid': 400,
  'scanner.rejected': 409,
  'scanner.unsupported': 502,
  'scanner.unavailable': 503,
  'scanner.timeout': 504,
};

const SSE_HEARTBEAT_MS = 15000;

/** The router plus a way to end its open event streams (so an HTTP server can close). */
export interface ScannerRouter {
  router: express.Router;
  /** Ends every open /events stream. */
  closeStreams: () => void;
}

/** Builds the /api/scanner router. */
export function createScannerRouter(deps: ScannerRouteDeps): ScannerRouter {
  const router = express.Router();
  const { controller } = deps;
  const open = new Set<Response>();

  router.use(express.json({ limit: '4kb' }));

  router.get('/', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(controller.status());
  });

  router.get('/transmissions', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ transmissions: controller.transmissions() });
  });

  router.get('/events', (req, res) => {
    if (open.size >= (deps.maxEventStreams ?? 100)) {
      res.status(503).json({ error: 'too many event streams' });
      return;
    }
    open.add(res);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write('retry: 3000\n\n');
    send('status', controller.status());
    send('transmissions', controller.transmissions());
    const offStatus = controller.onStatus((s) => send('status', s));
    const offTx = controller.onTransmissions((t) => send('transmissions', t));
    let cancelBeat = (): void => {};
    const beat = (): void => {
      res.write(': keep-alive\n\n');
      cancelBeat = deps.clock.setTimer(beat, SSE_HEARTBEAT_MS);
    };
    cancelBeat = deps.clock.setTimer(beat, SSE_HEARTBEAT_MS);
    req.on('close', () => {
      open.delete(res);
      offStatus();
      offTx();
      cancelBeat();
    });
  });

  // Everything below is control: rate limit first (so token guessing is limited too), then auth.
  const guard = (req: Request, res: Response, next: NextFunction): void => {
    const d = deps.limiter.take(req.ip ?? 'unknown');
    if (!d.ok) {
      res.set('Retry-After', String(d.retryAfterSec));
      res.status(429).json({ error: `too many control calls; retry in ${d.retryAfterSec} s` });
      return;
    }
    if (!isAuthorized(req.get('authorization'), deps.token)) {
      res.set('WWW-Authenticate', 'Bearer realm="scanner"');
      res
        .status(401)
        .json({ error: 'scanner control needs the header Authorization: Bearer <token>' });
      return;
    }
    next();
  };

  router.get('/channels/:n', guard, async (req, res) => {
    const record = await deps.controller.readChannel(channelOf(req.params.n, true));
    res.json({ record });
  });

  router.put('/channels/:n', guard, async (req, res) => {
    const action = parseChannelWrite(req.params.n, req.body, deps.profile);
    const result = await controller.perform(action);
    res.json({ ok: true, ...result, status: controller.status() });
  });

  router.post('/:action', guard, async (req, res) => {
    const name = String(req.params.action);
    if (!isActionName(name)) {
      res
        .status(404)
        .json({ error: `unknown scanner action ${JSON.stringify(name.slice(0, 40))}` });
      return;
    }
    const action = parseAction(name, req.body, deps.profile);
    deps.logger.info('scanner control', { action: name, from: req.ip });
    const result = await controller.perform(action);
    res.json({ ok: true, ...result, status: controller.status() });
  });

  router.use((req, res) => {
    res.status(404).json({ error: `no scanner route ${req.method} ${req.path.slice(0, 60)}` });
  });

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof EncodeError) {
      res.status(400).json({ error: err.message, code: 'request.invalid' });
      return;
    }
    if (isAppError(err) && STATUS_BY_CODE[err.code]) {
      res.status(STATUS_BY_CODE[err.code] ?? 500).json({ error: err.message, code: err.code });
      return;
    }
    // body-parser errors (bad JSON, too large) carry their own 4xx status.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: 'request body must be a small JSON object' });
      return;
    }
    deps.logger.error('scanner route failed', { error: String(err) });
    res.status(500).json({ error: 'internal error' });
  });

  return {
    router,
    closeStreams: () => {
      for (const res of [...open]) res.end();
    },
  };
}
