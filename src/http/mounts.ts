// src/http/mounts.ts: liveMounts: every router the live server mounts, in order, built from its parts (server.ts passes them).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { ClientKeys } from '../metrics/listeners.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { Packager } from '../packager.js';
import type { ScannerService } from '../scanner/scanner-service.js';
import type { CallService } from '../calls/call-service.js';
import { callRoutes, timeShiftRoutes } from './call-routes.js';
import type { Mount } from './app.js';
import { type HlsRouter, hlsRouter } from './hls-routes.js';
import type { LiveAudioHub } from '../live-audio/fan-out.js';
import { liveAudioRoutes } from './live-audio-routes.js';
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
  /** The call log and replay (/api/calls, /hls/NAME.m3u8?start=&end=); absent in tests that build mounts alone. */
  calls?: CallService | null;
  /** The /live.mp3 listeners (--live-audio), else null or absent. */
  liveAudio?: LiveAudioHub | null;
  /** Fields /api/status adds beside the stream's (the outbound links' states), or absent. */
  statusExtra?: () => Record<string, unknown>;
  /** Further mounts (ServerExtras.mounts), last. */
  extras: Mount[];
}

/** A request header as one string (Node joins repeats of most headers itself). */
function oneHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The /hls mount, with its handler for before Express (HlsRouter.front). */
export interface HlsMount extends Mount {
  front: HlsRouter['front'];
}

function isHlsMount(m: Mount): m is HlsMount {
  return 'front' in m && typeof m.front === 'function';
}

/**
 * The live server's node:http request listener: the /hls front handler first, so held LL-HLS
 * requests never enter Express (HlsRouter.front says why), then the app. In server.ts:
 * createServer(liveListener(mounts, app)).
 */
export function liveListener(
  mounts: Mount[],
  app: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const front = mounts.find(isHlsMount)?.front;
  if (!front) return app;
  return (req, res) => front(req, res, () => app(req, res));
}

/**
 * The live server's mounts in order: /hls (CORS, no helmet: players on other origins load it),
 * helmet for the JSON and text endpoints, /metrics and /healthz, /api/scanner, /api/status and
 * /api/events, then the page (with its own helmet) and any extras.
 */
export function liveMounts(p: LiveMountParts): Mount[] {
  const { cfg, packager, metrics, scanner, clock } = p;
  const keys = new ClientKeys();
  const hls = hlsRouter({
    stream: cfg.stream,
    outDir: resolve(cfg.out),
    feed: packager,
    clock,
    mountPath: '/hls',
    onPlaylistRequest: (req) =>
      metrics.playlistRequested(
        keys.keyOf(
          req.socket,
          oneHeader(req.headers['x-forwarded-for']),
          req.headers['user-agent'],
        ),
      ),
  });
  const hlsMount: HlsMount = { path: '/hls', router: hls.router, front: hls.front };
  const calls = p.calls ?? null;
  // A deleted file leaves the segment cache at once (else a stream nobody listens to would fill
  // the cache's whole budget with files long gone from the disk).
  packager.on('segment-deleted', ({ name }) => hls.cache.delete(name));
  calls?.onReaped((name) => hls.cache.delete(name));
  return [
    // Time-shift playlists (?start=&end=) before the live /hls routes, which answer the rest.
    ...(calls ? [{ path: '/hls', router: timeShiftRoutes(calls, cfg.stream) }] : []),
    hlsMount,
    ...(p.liveAudio
      ? [
          {
            path: '/',
            router: liveAudioRoutes(p.liveAudio, {
              stream: cfg.stream,
              maxListeners: cfg.liveAudioMaxListeners,
            }),
          },
        ]
      : []),
    { path: ['/api', '/metrics', '/healthz'], router: apiHeaders },
    ...(calls ? [{ path: '/api/calls', router: callRoutes(calls, cfg.stream) }] : []),
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
    { path: '/api', router: statusRoutes(packager, { clock, extra: p.statusExtra }) },
    {
      path: '/',
      router: pageRoutes({
        stream: cfg.stream,
        scanner: Boolean(cfg.scanner),
        allowedSources: cfg.allowedSources,
      }),
    },
    ...p.extras,
  ];
}
