// src/http/hls-routes.ts: GET /hls/*: the fast path before Express (hls-front.ts: the live playlist, segments and parts from memory) and the Express router behind it (time-shift fall-through, other files, hlsRoutes alone).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { access } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import type { Clock } from '../clock.js';
import { type Decision, decideDirectives } from '../hls/delivery-directives.js';
import type { LiveFeed } from '../hls/live-feed.js';
import { PLAYLIST_TYPE, SEGMENT_TYPE } from '../hls/media-types.js';
import {
  HLS_CORS,
  PLAYLIST_CACHE,
  PlaylistBodies,
  PlaylistWaiters,
  SEGMENT_CACHE,
  type WakeStats,
} from './playlist-waiters.js';
import { type HlsFront, hlsFront } from './hls-front.js';
import { acceptsGzip, isContainedPath } from './hls-request.js';
import type { SegmentCacheOptions } from './segment-cache.js';

export { PLAYLIST_CACHE, SEGMENT_CACHE, acceptsGzip, isContainedPath };

export interface HlsRouteOptions {
  /** Stream name; /hls/<stream>.m3u8 is answered from the feed. */
  stream: string;
  /** The served directory (--out). */
  outDir: string;
  /** The live playlist, its LL position and preload hint, and its publish signal. */
  feed: LiveFeed;
  /** Times the 503 for requests held longer than three target durations. */
  clock: Clock;
  /** Where the router is mounted (for HlsRouter.front, which sees whole URLs); default /hls. */
  mountPath?: string;
  /** Called once for every request of the live playlist (listener estimate, metrics). */
  onPlaylistRequest?: (req: IncomingMessage) => void;
  /** Called after each wake of held requests (metrics, bench). */
  onWake?: (s: WakeStats) => void;
  /** How long one run of answers to held requests may keep the event loop (tests). */
  wakeSliceMs?: number;
  /** The segment cache's budget and largest file (tests); defaults in hls-front.ts. */
  segmentCache?: Partial<SegmentCacheOptions>;
  /** How long a held file is trusted before its next request checks the disk (tests). */
  segmentRecheckMs?: number;
}

const TYPES: Record<string, { type: string; cache: string }> = {
  '.m3u8': { type: PLAYLIST_TYPE, cache: PLAYLIST_CACHE },
  '.ts': { type: SEGMENT_TYPE, cache: SEGMENT_CACHE },
};

function cors(req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(HLS_CORS)) res.setHeader(name, value);
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Max-Age', '86400');
    res.status(204).end();
    return;
  }
  next();
}

function notFound(res: Response): void {
  res.status(404).type('text/plain').send('not found\n');
}

/** The query string of a request URL. Parsed here, not by Express, so a repeated name stays visible. */
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

/** The /hls router and its held requests. */
export interface HlsRouter {
  router: Router;
  /**
   * A node:http request handler for before Express (hls-front.ts): it answers every GET, HEAD and
   * OPTIONS under the mount itself (the live playlist, blocking reloads, segments and parts from
   * memory, 404, 405) and calls next() only for a time-shift playlist (?start=&end=) and files
   * that are not segments. A request answered or held this way carries none of Express's
   * per-request state (its router closures, req/res extensions): measured by bench:ll, that is
   * what lets one process hold 10,000 under 200 MB, and by bench:http, what lets /hls answer at
   * the speed of node:http itself.
   */
  front: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  waiters: PlaylistWaiters;
  bodies: PlaylistBodies;
  /** The segment cache behind front. */
  cache: HlsFront['cache'];
}

/** The /hls router. Anything that is not a file in the directory gets 404; nothing escapes it. */
export function hlsRoutes(opts: HlsRouteOptions): Router {
  return hlsRouter(opts).router;
}

/** hlsRoutes, with the front handler and the registry of held requests. */
export function hlsRouter(opts: HlsRouteOptions): HlsRouter {
  const { feed } = opts;
  const mount = opts.mountPath ?? '/hls';
  const playlistPath = `/${opts.stream}.m3u8`;
  // fast (below) reads each new text's newest segment ahead; bodies only calls this on requests.
  const bodies = new PlaylistBodies(feed, (skip, text) => {
    if (skip === 'no') fast.playlistText(text);
  });
  const waiters = new PlaylistWaiters({
    feed,
    clock: opts.clock,
    bodies,
    partPath: (uri) => join(opts.outDir, uri),
    onWake: opts.onWake,
    sliceMs: opts.wakeSliceMs,
  });
  const decide = (url: string): Decision =>
    decideDirectives(queryOf(url), {
      lowLatency: feed.lowLatency(),
      position: feed.position(),
      ended: bodies.ended(),
    });
  /** The hinted part is asked for before it exists: held until it does, never 404 meanwhile. */
  const holdPartIfMissing = (hint: string, res: ServerResponse, head: boolean, next: () => void) =>
    access(join(opts.outDir, hint)).then(
      () => next(),
      () => waiters.holdPart(res, hint, head),
    );

  const fast = hlsFront({
    stream: opts.stream,
    outDir: opts.outDir,
    feed,
    clock: opts.clock,
    mount,
    bodies,
    waiters,
    decide,
    onPlaylistRequest: opts.onPlaylistRequest,
    cache: opts.segmentCache,
    recheckMs: opts.segmentRecheckMs,
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
  router.get(playlistPath, (req, res) => {
    opts.onPlaylistRequest?.(req);
    const decision = decide(req.url);
    if (decision.kind === 'bad') return badRequest(res, decision.message);
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    if (decision.kind === 'wait') {
      waiters.holdPlaylist(res, decision.target, decision.skip, gzip, req.method === 'HEAD');
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
  router.use((req, res, next) => {
    const hint = feed.preloadHint();
    if (hint === null || req.path !== `/${hint}`) return next();
    void holdPartIfMissing(hint, res, req.method === 'HEAD', () => next());
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
  return { router, front: fast.handle, waiters, bodies, cache: fast.cache };
}
