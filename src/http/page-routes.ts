// src/http/page-routes.ts: the listening page: index.html (per-request CSP), public/ assets and hls.js from node_modules, behind helmet.
import express, { type Request, type Response, type Router } from 'express';
import helmet from 'helmet';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface PageRouteOptions {
  /** Stream name: the page plays /hls/<stream>.m3u8 unless ?src= names another playlist. */
  stream: string;
  /** True when a scanner is configured: the page then loads /scanner.js and /scanner.css. */
  scanner: boolean;
  /** Directory of index.html, app.js, style.css; defaults to the package's public/. */
  publicDir?: string;
}

/** public/ next to src/ and dist/: the same relative path works from src/http (tsx) and dist/http. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));
/** hls.js from our own dependencies: the page works with no internet. */
export const HLS_JS_PATH = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');

/**
 * The origin of an external playlist given as ?src=, or null when there is none or it is not an
 * absolute http(s) URL (a relative src is same-origin and needs nothing extra).
 */
export function externalPlaylistOrigin(src: unknown): string | null {
  if (typeof src !== 'string' || src === '') return null;
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.origin;
}

function srcOriginOf(req: IncomingMessage): string | null {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  return externalPlaylistOrigin(query.get('src'));
}

/** A CSP source list: the fixed sources plus the ?src= origin when there is one. */
function withSrcOrigin(...fixed: string[]): (req: IncomingMessage) => string {
  return (req) => {
    const origin = srcOriginOf(req);
    return (origin ? [...fixed, origin] : fixed).join(' ');
  };
}

/**
 * Helmet for the page and its assets. No inline script or style anywhere; hls.js feeds
 * MediaSource from blob: URLs and runs its transmuxer in a blob: worker; the ?src= origin may be
 * fetched (hls.js) and played (native HLS).
 */
const pageHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: [withSrcOrigin("'self'")],
      // data: for hls.js 1.7's metadata <track> (src "data:,WEBVTT"), which carries the ID3 cues.
      mediaSrc: [withSrcOrigin("'self'", 'blob:', 'data:')],
      workerSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'self'"],
      // No upgrade-insecure-requests: on a LAN the server is plain HTTP and would break.
    },
  },
  // TLS, when there is any, is terminated in front of us; the proxy owns HSTS.
  strictTransportSecurity: false,
});

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** index.html with the stream's name, playlist path and scanner flag filled in. */
export function renderIndex(template: string, opts: PageRouteOptions): string {
  const values: Record<string, string> = {
    stream: opts.stream,
    playlist: `/hls/${opts.stream}.m3u8`,
    scanner: opts.scanner ? 'on' : 'off',
  };
  return template.replace(/\{\{(\w+)\}\}/g, (m, key: string) => {
    const v = values[key];
    return v === undefined ? m : escapeHtml(v);
  });
}

/** The page router, mounted at /. It leaves /api/* and /hls/* to other routers. */
export function pageRoutes(opts: PageRouteOptions): Router {
  const dir = opts.publicDir ?? PUBLIC_DIR;
  const html = renderIndex(readFileSync(`${dir}/index.html`, 'utf8'), opts);
  const router = express.Router();
  router.use((req, _res, next) => {
    if (/^\/(api|hls)(\/|$)/.test(req.path)) next('router');
    else next();
  });
  router.use(pageHeaders);
  router.get(['/', '/index.html'], (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html);
  });
  router.get('/vendor/hls.min.js', (_req: Request, res: Response, next) => {
    res.sendFile(HLS_JS_PATH, { maxAge: '1h' }, (err) => {
      // A listener who leaves mid-download is not a server error.
      if (err && !res.headersSent) next(err);
    });
  });
  router.use(
    express.static(dir, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      fallthrough: true,
      setHeaders(res) {
        res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  return router;
}
