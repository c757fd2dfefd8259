// src/http/hls-routes.ts: GET /hls/*: the live playlist from memory and the segment directory from disk, with HLS headers and CORS.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { extname } from 'node:path';
import { PLAYLIST_TYPE, SEGMENT_TYPE } from '../hls/media-types.js';

export interface HlsRouteOptions {
  /** Stream name; /hls/<stream>.m3u8 is answered from memory. */
  stream: string;
  /** The served directory (--out). */
  outDir: string;
  /** The current live playlist text, or null before the first segment. */
  playlist: () => string | null;
  /** Called for every request of the live playlist (listener estimate, metrics). */
  onPlaylistRequest?: (req: Request) => void;
}

/**
 * A cached live playlist freezes players: RFC 8216 §6.2.2 lets a live playlist change only by
 * gaining new segments and losing old ones, and a client that reloads it must see each change. A
 * listed segment's bytes never change (names are never reused), so segments may be cached for good.
 */
export const PLAYLIST_CACHE = 'no-cache';
export const SEGMENT_CACHE = 'public, max-age=31536000, immutable';

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

/** The /hls router. Anything that is not a file in the directory gets 404; nothing escapes it. */
export function hlsRoutes(opts: HlsRouteOptions): Router {
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
    const text = opts.playlist();
    if (text === null) return notFound(res);
    res.setHeader('Content-Type', PLAYLIST_TYPE);
    res.setHeader('Cache-Control', PLAYLIST_CACHE);
    res.send(text);
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
  return router;
}
