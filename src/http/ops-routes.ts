// src/http/ops-routes.ts: GET /metrics (Prometheus text) and GET /healthz (JSON; 503 when stalled) for operators.
import express, { type Router } from 'express';
import type { Clock } from '../clock.js';
import { evaluateHealth, type ScannerHealth } from '../metrics/health.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { StreamStatus } from '../stream-status.js';

/** What the ops routes read. */
export interface OpsRouteOptions {
  metrics: Pick<ServerMetrics, 'render' | 'contentType'>;
  status: () => StreamStatus;
  scanner: () => ScannerHealth | null;
  clock: Clock;
}

/** The router mounted at /: /metrics and /healthz; other paths fall through. */
export function opsRoutes(opts: OpsRouteOptions): Router {
  const router = express.Router();
  router.get('/metrics', async (_req, res) => {
    const text = await opts.metrics.render();
    res.setHeader('Content-Type', opts.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(text);
  });
  router.get('/healthz', (_req, res) => {
    const h = evaluateHealth(opts.clock.now(), opts.status(), opts.scanner());
    res.setHeader('Cache-Control', 'no-store');
    res.status(h.healthy ? 200 : 503).json(h);
  });
  return router;
}
