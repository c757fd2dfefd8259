// src/http/mounts.ts: the routers the live server mounts after /hls (status API, the page).
import type { AppConfig } from '../config.js';
import type { Packager } from '../packager.js';
import type { Mount } from './app.js';

/** Routers for live mode, in mount order. */
export function liveMounts(_cfg: Readonly<AppConfig>, _packager: Packager): Mount[] {
  return [];
}
