// src/http/page-routes.ts: the listening page: index.html (per-request CSP), public/ assets and hls.js from node_modules, behind helmet.
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import helmet from 'helmet';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { allowedSrcOrigin, httpOriginOf } from './allowed-sources.js';

export interface PageRouteOptions {
  /** Stream name: the page plays /hls/<stream>.m3u8 unless ?src= names another playlist. */
  stream: string;
  /** True when a scanner is configured: the page then loads /scanner.js and /scanner.css. */
  scanner: boolean;
  /** Directory of index.html, app.js, style.css; defaults to the package's public/. */
  publicDir?: string;
  /** --allowed-sources: other origins ?src= may play from (default none: this server only). */
  allowedSources?: readonly string[];
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
  return httpOriginOf(src);
}

/** The ?src= origin to allow in the CSP: only one listed in --allowed-sources. */
function srcOriginOf(req: IncomingMessage, allowed: readonly string[]): string | null {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  return allowedSrcOrigin(query.get('src'), allowed);
}

/** A CSP source list: the fixed sources plus the ?src= origin when it is an allowed one. */
function withSrcOrigin(
  allowed: readonly string[],
  ...fixed: string[]
): (req: IncomingMessage) => string {
  return (req) => {
    const origin = srcOriginOf(req, allowed);
    return (origin ? [...fixed, origin] : fixed).join(' ');
  };
}

/**
 * Helmet for the page and its assets. No inline script or style anywhere; hls.js feeds
 * MediaSource from blob: URLs and runs its transmuxer in a blob: worker; a ?src= origin listed
 * in --allowed-sources may be fetched (hls.js) and played (native HLS), no other.
 */
const pageHeaders = (allowed: readonly string[]): RequestHandler =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: [withSrcOrigin(allowed, "'self'")],
        // data: for hls.js 1.7's metadata <track> (src "data:,WEBVTT"), which carries the ID3 cues.
        mediaSrc: [withSrcOrigin(allowed, "'self'", 'blob:', 'data:')],
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

/**
 * index.html with the stream's name, playlist path, scanner flag and the allowed ?src= origins
 * ({{allowedSources}}: space-separated, read by public/page.js from the body's
 * data-allowed-sources) filled in.
 */
export function renderIndex(template: string, opts: PageRouteOptions): string {
  const values: Record<string, string> = {
    stream: opts.stream,
    playlist: `/hls/${opts.stream}.m3u8`,
    scanner: opts.scanner ? 'on' : 'off',
    allowedSources: (opts.allowedSources ?? []).join(' '),
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
  router.use(pageHeaders(opts.allowedSources ?? []));
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
