// src/http/hls-routes.ts: GET /hls/*: the live playlist from the LiveFeed (blocking reloads, delta updates, gzip) and the segment directory from disk (hinted parts held until whole), with HLS headers and CORS.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { access } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Clock } from '../clock.js';
import { decideDirectives } from '../hls/delivery-directives.js';
import type { LiveFeed } from '../hls/live-feed.js';
import { PLAYLIST_TYPE, SEGMENT_TYPE } from '../hls/media-types.js';
import {
  PLAYLIST_CACHE,
  PlaylistBodies,
  PlaylistWaiters,
  SEGMENT_CACHE,
  type WakeStats,
} from './playlist-waiters.js';

export { PLAYLIST_CACHE, SEGMENT_CACHE };

export interface HlsRouteOptions {
  /** Stream name; /hls/<stream>.m3u8 is answered from the feed. */
  stream: string;
  /** The served directory (--out). */
  outDir: string;
  /** The live playlist, its LL position and preload hint, and its publish signal. */
  feed: LiveFeed;
  /** Times the 503 for requests held longer than three target durations. */
  clock: Clock;
  /** Called for every request of the live playlist (listener estimate, metrics). */
  onPlaylistRequest?: (req: Request) => void;
  /** Called after each wake of held requests (metrics, bench). */
  onWake?: (s: WakeStats) => void;
}

const TYPES: Record<string, { type: string; cache: string }> = {
  '.m3u8': { type: PLAYLIST_TYPE, cache: PLAYLIST_CACHE },
  '.ts': { type: SEGMENT_TYPE, cache: SEGMENT_CACHE },
};

/** hls.js fetches with XHR/fetch, so every HLS resource needs CORS; it reads the Age header to estimate how old a cached playlist is. */
function cors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Age, Content-Length, Date');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Max-Age', '86400');
    res.status(204).end();
    return;
  }
  next();
}

/** True for a path that stays inside the directory: no '..', no dotfiles, no NUL, no backslash. */
export function isContainedPath(urlPath: string): boolean {
  let p: string;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  if (p.includes('\0') || p.includes('\\')) return false;
  return p.split('/').every((part) => part === '' || (!part.startsWith('.') && part !== '..'));
}

function notFound(res: Response): void {
  res.status(404).type('text/plain').send('not found\n');
}

/** The query string of a request URL ('' when none). Parsed here, not by Express, so a repeated name stays visible. */
function queryOf(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

function badRequest(res: Response, message: string): void {
  res.setHeader('Cache-Control', PLAYLIST_CACHE);
  res
    .status(400)
    .type('text/plain')
    .send(message + '\n');
}

/** The /hls router and its held requests (tests and the bench look at them). */
export interface HlsRouter {
  router: Router;
  waiters: PlaylistWaiters;
  bodies: PlaylistBodies;
}

/** The /hls router. Anything that is not a file in the directory gets 404; nothing escapes it. */
export function hlsRoutes(opts: HlsRouteOptions): Router {
  return hlsRouter(opts).router;
}

/** hlsRoutes, with the registry of held requests. */
export function hlsRouter(opts: HlsRouteOptions): HlsRouter {
  const { feed } = opts;
  const bodies = new PlaylistBodies(feed);
  const waiters = new PlaylistWaiters({
    feed,
    clock: opts.clock,
    bodies,
    partPath: (uri) => join(opts.outDir, uri),
    onWake: opts.onWake,
  });
  const router = express.Router();
  router.use(cors);
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      res.status(405).type('text/plain').send('method not allowed\n');
      return;
    }
    if (!isContainedPath(req.path)) return notFound(res);
    next();
  });
  router.get(`/${opts.stream}.m3u8`, (req, res) => {
    opts.onPlaylistRequest?.(req);
    const decision = decideDirectives(queryOf(req.url), {
      lowLatency: feed.lowLatency(),
      position: feed.position(),
      ended: bodies.ended(),
    });
    if (decision.kind === 'bad') return badRequest(res, decision.message);
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const head = req.method === 'HEAD';
    if (decision.kind === 'wait') {
      waiters.holdPlaylist(res, decision.target, decision.skip, gzip, head);
      return;
    }
    const shared = bodies.get(decision.skip, gzip);
    if (shared === null) return notFound(res);
    // setHeader, not res.set: Express would append a charset to the playlist type. The ETag is
    // in the shared headers, so res.send answers If-None-Match with 304 without hashing again.
    for (const [name, value] of Object.entries(shared.headers)) {
      if (value !== undefined) res.setHeader(name, value);
    }
    res.send(shared.body);
  });
  // The hinted part (EXT-X-PRELOAD-HINT) is asked for before it exists: hold it, do not 404.
  router.use((req, res, next) => {
    const hint = feed.preloadHint();
    if (hint === null || req.path !== `/${hint}`) return next();
    const path = join(opts.outDir, hint);
    access(path).then(
      () => next(),
      () => waiters.holdPart(res, hint, req.method === 'HEAD'),
    );
  });
  router.use(
    express.static(opts.outDir, {
      dotfiles: 'ignore',
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders(res, path) {
        const t = TYPES[extname(path)];
        if (!t) return;
        res.setHeader('Content-Type', t.type);
        res.setHeader('Cache-Control', t.cache);
      },
    }),
  );
  router.use((_req, res) => notFound(res));
  return { router, waiters, bodies };
}
