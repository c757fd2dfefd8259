// src/http/mounts.ts: liveMounts: every router the live server mounts, in order, built from its parts (server.ts passes them).
import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import type { AppConfig } from '../config.js';
import type { LiveFeed } from '../hls/live-feed.js';
import type { Logger } from '../logger.js';
import { clientKey } from '../metrics/listeners.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { Packager } from '../packager.js';
import type { ScannerService } from '../scanner/scanner-service.js';
import type { Mount } from './app.js';
import { hlsRoutes } from './hls-routes.js';
import { opsRoutes } from './ops-routes.js';
import { pageRoutes } from './page-routes.js';
import { scannerRoutes } from './scanner-routes.js';
import { apiHeaders } from './security-headers.js';
import { statusRoutes } from './status-routes.js';

/** What the live server's routers are built from. */
export interface LiveMountParts {
  cfg: Readonly<AppConfig>;
  packager: Packager;
  metrics: ServerMetrics;
  /** The --scanner service, else null (no /api/scanner, and the page hides its panel). */
  scanner: ScannerService | null;
  clock: Clock;
  /** The process logger; the scanner routes log under 'scanner'. */
  logger: Logger;
  /** Further mounts (ServerExtras.mounts), last. */
  extras: Mount[];
}

/**
 * The packager as a LiveFeed without Low-Latency HLS, until Packager implements LiveFeed itself
 * (then mount `feed: packager`): directives are ignored, and nothing is held.
 */
function plainFeed(packager: Packager): LiveFeed {
  return {
    lowLatency: () => null,
    position: () => null,
    playlist: () => packager.playlistText(),
    preloadHint: () => null,
    onPublish(fn) {
      const listener = (): void => fn();
      packager.on('playlist-written', listener);
      return () => packager.off('playlist-written', listener);
    },
  };
}

/**
 * The live server's mounts in order: /hls (CORS, no helmet: players on other origins load it),
 * helmet for the JSON and text endpoints, /metrics and /healthz, /api/scanner, /api/status and
 * /api/events, then the page (with its own helmet) and any extras.
 */
export function liveMounts(p: LiveMountParts): Mount[] {
  const { cfg, packager, metrics, scanner, clock } = p;
  return [
    {
      path: '/hls',
      router: hlsRoutes({
        stream: cfg.stream,
        outDir: resolve(cfg.out),
        feed: plainFeed(packager),
        clock,
        onPlaylistRequest: (req) =>
          metrics.playlistRequested(
            clientKey(req.socket.remoteAddress, req.get('x-forwarded-for'), req.get('user-agent')),
          ),
      }),
    },
    { path: ['/api', '/metrics', '/healthz'], router: apiHeaders },
    {
      path: '/',
      router: opsRoutes({
        metrics,
        status: () => packager.getStatus(),
        scanner: () => scanner?.status() ?? null,
        clock,
      }),
    },
    ...(scanner
      ? [
          {
            path: '/api/scanner',
            router: scannerRoutes(scanner, { clock, logger: p.logger.child('scanner') }),
          },
        ]
      : []),
    { path: '/api', router: statusRoutes(packager, { clock }) },
    { path: '/', router: pageRoutes({ stream: cfg.stream, scanner: Boolean(cfg.scanner) }) },
    ...p.extras,
  ];
}
