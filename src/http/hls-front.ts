// src/http/hls-front.ts: the /hls fast path, a node:http handler run before Express: the live playlist and segments/parts from memory (files as the fallback), with HEAD, 304, Range and CORS.
import { createReadStream, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import type { Clock } from '../clock.js';
import type { Decision } from '../hls/delivery-directives.js';
import type { LiveFeed } from '../hls/live-feed.js';
import { SEGMENT_TYPE } from '../hls/media-types.js';
import { answerFor, matchesAny, type Validators } from './http-range.js';
import { type CachedFile, SegmentCache, type SegmentCacheOptions } from './segment-cache.js';
import {
  HLS_CORS,
  PLAYLIST_CACHE,
  type PlaylistBodies,
  type PlaylistWaiters,
  SEGMENT_CACHE,
  type SharedBody,
} from './playlist-waiters.js';
import { acceptsGzip, isContainedPath } from './hls-request.js';

/**
 * 64 MiB: at 32 kbit/s a 2 s segment is ~9 KB, and even a 320 kbit/s feed keeps hours of segments
 * and parts under it; the live window's files are what listeners ask for.
 */
export const SEGMENT_CACHE_BUDGET = 64 * 2 ** 20;
/** A file bigger than this (8 MiB) is streamed from disk each time, never held. */
export const SEGMENT_CACHE_MAX_FILE = 8 * 2 ** 20;
/**
 * How long a held file is trusted without looking at the disk again: names are never reused, so
 * the bytes cannot change, but the file can be deleted (the packager's reaper, --retention's).
 * After this long the next request checks it is still there (one stat, shared by every request
 * meanwhile) before answering; a deleted file then gets 404.
 */
export const SEGMENT_RECHECK_MS = 1000;
/** Longer request paths are refused (404) before anything looks at them. */
const MAX_PATH = 1024;

export interface HlsFrontOptions {
  /** /hls/<stream>.m3u8 is the live playlist. */
  stream: string;
  /** The served directory (--out). */
  outDir: string;
  feed: LiveFeed;
  clock: Clock;
  /** Where /hls is mounted. */
  mount: string;
  bodies: PlaylistBodies;
  waiters: PlaylistWaiters;
  /** The delivery directives of a playlist URL. */
  decide: (url: string) => Decision;
  onPlaylistRequest?: (req: IncomingMessage) => void;
  /** Budget and largest file of the segment cache; default SEGMENT_CACHE_BUDGET / SEGMENT_CACHE_MAX_FILE. */
  cache?: Partial<SegmentCacheOptions>;
  /** Default SEGMENT_RECHECK_MS. */
  recheckMs?: number;
}

/** The handler, and its cache (tests and metrics read it). */
export interface HlsFront {
  handle: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  cache: SegmentCache;
  /** Stops reading newly published files ahead of their requests. */
  close: () => void;
  /** Reads the newest segment of a new playlist text ahead of its requests (hls-routes.ts wires PlaylistBodies to it). */
  playlistText: (text: string) => void;
}

/** The URI of the newest whole segment in a playlist text: its last line that is not a tag. */
export function newestSegment(text: string | null): string | null {
  if (text === null) return null;
  let end = text.length;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end).trim();
    if (line !== '' && !line.startsWith('#')) return line;
    end = start - 1;
  }
  return null;
}

/** A one-line text answer; no Cache-Control unless given (a 404 must not be kept: the file may come). */
function textBody(text: string, cacheControl?: string): SharedBody {
  const body = Buffer.from(text + '\n');
  const headers: OutgoingHttpHeaders = {
    ...HLS_CORS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
  };
  if (cacheControl !== undefined) headers['Cache-Control'] = cacheControl;
  return { body, headers };
}

const NOT_FOUND = textBody('not found');
const NOT_ALLOWED = textBody('method not allowed');
NOT_ALLOWED.headers.Allow = 'GET, HEAD, OPTIONS';
const PREFLIGHT: OutgoingHttpHeaders = {
  ...HLS_CORS,
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'Range',
  'Access-Control-Max-Age': '86400',
};
const UNSATISFIABLE = textBody('range not satisfiable');

function send(res: ServerResponse, status: number, shared: SharedBody, head: boolean): void {
  res.writeHead(status, shared.headers);
  if (head) res.end();
  else res.end(shared.body);
}

/** RFC 9110 §15.4.5: a 304 carries what a 200 would of Cache-Control, Date, ETag, Expires and Vary. */
function notModifiedHeaders(h: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...HLS_CORS };
  for (const name of ['Cache-Control', 'ETag', 'Last-Modified', 'Vary']) {
    const v = h[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

const playlist304 = new WeakMap<SharedBody, OutgoingHttpHeaders>();

function validatorsOf(st: Stats): Validators {
  const lastModifiedMs = Math.floor(st.mtimeMs / 1000) * 1000;
  return {
    // Strong: a name is never reused with other bytes (segment-names.ts), so size and mtime name them.
    etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
    lastModified: new Date(lastModifiedMs).toUTCString(),
    lastModifiedMs,
  };
}

function segmentHeaders(v: Validators, size: number): OutgoingHttpHeaders {
  return {
    ...HLS_CORS,
    'Content-Type': SEGMENT_TYPE,
    'Cache-Control': SEGMENT_CACHE,
    'Content-Length': size,
    'Accept-Ranges': 'bytes',
    ETag: v.etag,
    'Last-Modified': v.lastModified,
  };
}

/** What a file's first request found: held bytes, a file too big to hold, or nothing. */
type Loaded = CachedFile | { big: Stats } | null;

/** The /hls fast path (HlsRouter.front says what it is for). */
export function hlsFront(opts: HlsFrontOptions): HlsFront {
  const { feed, bodies, waiters, clock } = opts;
  const mount = opts.mount;
  const prefix = `${mount}/`;
  const playlistPath = `/${opts.stream}.m3u8`;
  const outDir = resolve(opts.outDir);
  const recheckMs = opts.recheckMs ?? SEGMENT_RECHECK_MS;
  const cache = new SegmentCache({
    budgetBytes: opts.cache?.budgetBytes ?? SEGMENT_CACHE_BUDGET,
    maxFileBytes: opts.cache?.maxFileBytes ?? SEGMENT_CACHE_MAX_FILE,
  });
  /** First reads in flight, so a thousand requests for a new segment read it once. */
  const loading = new Map<string, Promise<Loaded>>();
  /** Checks in flight that a held file is still on disk. */
  const checking = new Map<string, Promise<CachedFile | null>>();

  const fileOf = (name: string): string | null => {
    const p = join(outDir, name);
    return p.startsWith(outDir + sep) ? p : null;
  };

  const readWhole = async (name: string, path: string): Promise<Loaded> => {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) return null;
      if (!cache.admits(st.size)) return { big: st };
      const body = await fh.readFile();
      const v = validatorsOf(st);
      const headers = segmentHeaders(v, body.length);
      const f: CachedFile = {
        body,
        ...v,
        headers,
        notModified: notModifiedHeaders(headers),
        seenMs: clock.now(),
      };
      cache.put(name, f);
      return f;
    } finally {
      await fh.close();
    }
  };

  const load = (name: string, path: string): Promise<Loaded> => {
    let p = loading.get(name);
    if (!p) {
      p = readWhole(name, path)
        .catch(() => null)
        .finally(() => loading.delete(name));
      loading.set(name, p);
    }
    return p;
  };

  /** The held file if it is still on disk (same size and mtime), else null (and forgotten). */
  const recheck = (name: string, path: string, f: CachedFile): Promise<CachedFile | null> => {
    let p = checking.get(name);
    if (!p) {
      p = stat(path)
        .then(
          (st) => {
            if (validatorsOf(st).etag !== f.etag) {
              cache.delete(name);
              return null;
            }
            f.seenMs = clock.now();
            return f;
          },
          () => {
            cache.delete(name);
            return null;
          },
        )
        .finally(() => checking.delete(name));
      checking.set(name, p);
    }
    return p;
  };

  const sendHeld = (req: IncomingMessage, res: ServerResponse, f: CachedFile, head: boolean) => {
    const size = f.body.length;
    const a = answerFor(req.headers, f, size, head);
    switch (a.status) {
      case 200:
        res.writeHead(200, f.headers);
        if (head) res.end();
        else res.end(f.body);
        return;
      case 304:
        res.writeHead(304, f.notModified);
        res.end();
        return;
      case 416:
        return unsatisfiable(res, size, head);
      case 206:
        res.writeHead(206, {
          ...f.headers,
          'Content-Length': a.end - a.start + 1,
          'Content-Range': `bytes ${a.start}-${a.end}/${size}`,
        });
        res.end(f.body.subarray(a.start, a.end + 1));
    }
  };

  const unsatisfiable = (res: ServerResponse, size: number, head: boolean): void => {
    res.writeHead(416, { ...UNSATISFIABLE.headers, 'Content-Range': `bytes */${size}` });
    if (head) res.end();
    else res.end(UNSATISFIABLE.body);
  };

  /** A file too big to hold: streamed, the requested range only. */
  const sendStreamed = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    st: Stats,
    head: boolean,
  ): void => {
    const v = validatorsOf(st);
    const headers = segmentHeaders(v, st.size);
    const a = answerFor(req.headers, v, st.size, head);
    if (a.status === 304) {
      res.writeHead(304, notModifiedHeaders(headers));
      res.end();
      return;
    }
    if (a.status === 416) return unsatisfiable(res, st.size, head);
    const range =
      a.status === 206 ? { start: a.start, end: a.end } : { start: 0, end: st.size - 1 };
    res.writeHead(
      a.status,
      a.status === 206
        ? {
            ...headers,
            'Content-Length': a.end - a.start + 1,
            'Content-Range': `bytes ${a.start}-${a.end}/${st.size}`,
          }
        : headers,
    );
    if (head || st.size === 0) {
      res.end();
      return;
    }
    const stream = createReadStream(path, range);
    // Deleted or unreadable after the headers went out: the client sees a cut response.
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  };

  const answerLoaded = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    got: Loaded,
    head: boolean,
  ): void => {
    if (res.destroyed) return;
    if (got === null) return send(res, 404, NOT_FOUND, head);
    if ('big' in got) return sendStreamed(req, res, path, got.big, head);
    sendHeld(req, res, got, head);
  };

  const serveFile = (
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    head: boolean,
    missing: () => void,
  ): void => {
    const path = fileOf(name);
    if (path === null) return send(res, 404, NOT_FOUND, head);
    const fromDisk = (): void =>
      void load(name, path).then((got) =>
        got === null ? missing() : answerLoaded(req, res, path, got, head),
      );
    const held = cache.get(name);
    if (!held) return fromDisk();
    if (clock.now() - held.seenMs < recheckMs) return sendHeld(req, res, held, head);
    void recheck(name, path, held).then((f) =>
      f ? answerLoaded(req, res, path, f, head) : fromDisk(),
    );
  };

  /**
   * Every player asks for a new part or segment within moments of the publish that lists it: it
   * is read once then, ahead of them, so the burst is answered from memory. The part the hint
   * pointed at is read after the publish that moves the hint on (setImmediate, like the waiters'
   * wake, so the packager's publish never waits for it); the newest segment when a new playlist
   * text is first encoded (playlistText), which is before any player can have read its URI. The
   * feed's playlist() is not asked here: it is asked once per text by PlaylistBodies.
   */
  let lastHint = feed.preloadHint();
  const published = new Set<string>();
  let prefetchPending = false;
  const prefetch = (name: string | null): void => {
    if (name === null || !name.endsWith('.ts') || !isContainedPath(`/${name}`)) return;
    if (cache.has(name) || loading.has(name)) return;
    const path = fileOf(name);
    if (path !== null) void load(name, path);
  };
  const unsubscribe = feed.onPublish(() => {
    // The hint moved on: the part it named is published (or withdrawn: then nothing is read).
    const hint = feed.preloadHint();
    if (lastHint !== null && lastHint !== hint) published.add(lastHint);
    lastHint = hint;
    if (prefetchPending) return;
    prefetchPending = true;
    setImmediate(() => {
      prefetchPending = false;
      for (const name of published) prefetch(name);
      published.clear();
    });
  });

  const servePlaylist = (req: IncomingMessage, res: ServerResponse, url: string, q: number) => {
    const head = req.method === 'HEAD';
    opts.onPlaylistRequest?.(req);
    const decision: Decision = q < 0 ? { kind: 'now', skip: 'no' } : opts.decide(url);
    if (decision.kind === 'bad') {
      return send(res, 400, textBody(decision.message, PLAYLIST_CACHE), head);
    }
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    if (decision.kind === 'wait') {
      waiters.holdPlaylist(res, decision.target, decision.skip, gzip, head);
      return;
    }
    const shared = bodies.get(decision.skip, gzip);
    if (shared === null) return send(res, 404, NOT_FOUND, head);
    const inm = req.headers['if-none-match'];
    const etag = shared.headers.ETag;
    if (inm !== undefined && typeof etag === 'string' && matchesAny(inm, etag)) {
      let h = playlist304.get(shared);
      if (!h) {
        h = notModifiedHeaders(shared.headers);
        playlist304.set(shared, h);
      }
      res.writeHead(304, h);
      res.end();
      return;
    }
    send(res, 200, shared, head);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? '/';
    if (!url.startsWith(prefix)) return next();
    const q = url.indexOf('?');
    const path = q < 0 ? url.slice(mount.length) : url.slice(mount.length, q);
    const method = req.method;
    if (method === 'OPTIONS') {
      res.writeHead(204, PREFLIGHT);
      res.end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, NOT_ALLOWED, false);
    const head = method === 'HEAD';
    if (path === playlistPath) {
      // A time-shift window (?start=&end=, call-routes.ts timeShiftRoutes) is Express's.
      if (q >= 0) {
        const params = new URLSearchParams(url.slice(q + 1));
        if (params.has('start') || params.has('end')) return next();
      }
      return servePlaylist(req, res, url, q);
    }
    // A held file, asked for by its plain name (no %-escapes, so the path is the name): it was
    // checked when it was read (a name gets into the cache only through the checks below).
    if (!path.includes('%')) {
      const held = cache.get(path.slice(1));
      if (held && clock.now() - held.seenMs < recheckMs) return sendHeld(req, res, held, head);
    }
    if (path.length > MAX_PATH || !isContainedPath(path)) return send(res, 404, NOT_FOUND, head);
    const name = decodeURIComponent(path).slice(1);
    // Only segments and parts are answered here; anything else in the directory is Express's.
    if (!name.endsWith('.ts')) return next();
    const hint = feed.preloadHint();
    if (hint !== null && name === hint) {
      // RFC 8216bis §6.2.6: a GET for the hinted part before its file exists is held, not 404.
      return serveFile(req, res, name, head, () => waiters.holdPart(res, hint, head));
    }
    serveFile(req, res, name, head, () => send(res, 404, NOT_FOUND, head));
  };

  /** A new playlist text, seen once (PlaylistBodies' onText): its newest segment is read ahead. */
  const playlistText = (text: string): void => prefetch(newestSegment(text));

  return { handle, cache, close: unsubscribe, playlistText };
}
