// src/http/mounts.ts: the routers the live server mounts after /hls (status API, the page).
import type { AppConfig } from '../config.js';
import type { Packager } from '../packager.js';
import type { Mount } from './app.js';
import { pageRoutes } from './page-routes.js';
import { statusRoutes } from './status-routes.js';

/** Routers for live mode, in mount order. */
export function liveMounts(cfg: Readonly<AppConfig>, packager: Packager): Mount[] {
  return [
    { path: '/api', router: statusRoutes(packager) },
    { path: '/', router: pageRoutes({ stream: cfg.stream, scanner: Boolean(cfg.scanner) }) },
  ];
}
