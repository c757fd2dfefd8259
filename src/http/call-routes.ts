// src/http/call-routes.ts: /api/calls (list, one call, export, a call's playlist, chunks and download) and /hls/NAME.m3u8?start=&end= (time-shift), from the CallService.
import express, { type Request, type Response, type Router } from 'express';
import type { CallService } from '../calls/call-service.js';
import { encodeCursor, FilterError, parseCallQuery } from '../calls/call-filter.js';
import { type CallJson, callJson, csvHeader, csvLine, ndjsonLine } from '../calls/call-format.js';
import { PLAYLIST_TYPE, SEGMENT_TYPE } from '../hls/media-types.js';
import { HLS_CORS, PLAYLIST_CACHE } from './playlist-waiters.js';

/** The query string as written (Express's parser would turn a[]=1 into arrays). */
function paramsOf(req: Request): URLSearchParams {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

function fail(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

/** Rows per database page while exporting. */
const EXPORT_PAGE = 1000;

/** Writes one chunk, waiting for the socket to drain when its buffer is full; false when the client left. */
async function write(res: Response, text: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(text)) return true;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
  return !res.destroyed;
}

const CALL_NAME = /^(\d{1,16})(?:\.(m3u8|mp3|aac))?$/;
const CHUNK_NAME = /^(\d{1,6})\.ts$/;

/** The /api/calls router. */
export function callRoutes(calls: CallService, stream: string): Router {
  const router = express.Router();
  const { db, replay } = calls;
  const span = () => ({ fromMs: db.oldestSegmentMs(stream) });

  router.get('/', (req, res) => {
    let q;
    try {
      q = parseCallQuery(paramsOf(req));
    } catch (e) {
      if (e instanceof FilterError) return fail(res, 400, e.message);
      throw e;
    }
    const page = db.listCalls(q);
    const s = span();
    res.setHeader('Cache-Control', 'no-cache');
    res.json({
      calls: page.rows.map((r) => callJson(r, s)),
      next: page.nextBeforeId === null ? null : encodeCursor(page.nextBeforeId),
    });
  });

  router.get('/export', async (req, res) => {
    const params = paramsOf(req);
    let q;
    try {
      q = parseCallQuery(params, ['format']);
      if (params.has('limit') || params.has('cursor'))
        throw new FilterError('export takes no limit or cursor: it gives every matching call');
    } catch (e) {
      if (e instanceof FilterError) return fail(res, 400, e.message);
      throw e;
    }
    const format = params.get('format') ?? 'ndjson';
    if (format !== 'ndjson' && format !== 'csv')
      return fail(res, 400, `invalid format ${JSON.stringify(format)}: must be ndjson or csv`);
    const line: (c: CallJson) => string = format === 'csv' ? csvLine : ndjsonLine;
    res.status(200);
    res.setHeader(
      'Content-Type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    );
    res.setHeader('Content-Disposition', `attachment; filename="calls.${format}"`);
    res.setHeader('Cache-Control', 'no-cache');
    const s = span();
    if (format === 'csv' && !(await write(res, csvHeader()))) return;
    let beforeId = q.beforeId;
    for (;;) {
      const page = db.listCalls({ ...q, limit: EXPORT_PAGE, beforeId });
      const text = page.rows.map((r) => line(callJson(r, s))).join('');
      if (text && !(await write(res, text))) return;
      if (page.nextBeforeId === null) break;
      beforeId = page.nextBeforeId;
    }
    res.end();
  });

  router.get('/:name', async (req, res) => {
    const m = CALL_NAME.exec(req.params.name);
    if (!m) return fail(res, 404, 'not found');
    const id = Number(m[1]);
    const kind = m[2];
    if (kind === undefined) {
      const row = db.getCall(id);
      if (!row) return fail(res, 404, `no call ${m[1]}`);
      res.setHeader('Cache-Control', 'no-cache');
      return void res.json(callJson(row, span()));
    }
    for (const [name, value] of Object.entries(HLS_CORS)) res.setHeader(name, value);
    res.setHeader('Cache-Control', PLAYLIST_CACHE);
    if (kind === 'm3u8') {
      const text = await replay.playlist(id);
      if (text === null) return fail(res, 404, `no audio kept for call ${m[1]}`);
      // setHeader and a Buffer: Express would append a charset to the playlist type.
      res.setHeader('Content-Type', PLAYLIST_TYPE);
      return void res.send(Buffer.from(text));
    }
    const ext = kind === 'aac' ? 'aac' : 'mp3';
    const file = await replay.download(id, ext);
    if (!file) return fail(res, 404, `no ${ext} audio kept for call ${m[1]}`);
    res.setHeader('Content-Type', file.type);
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    res.send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
  });

  router.get('/:name/:chunk', async (req, res) => {
    const id = /^\d{1,16}$/.test(req.params.name) ? Number(req.params.name) : NaN;
    const c = CHUNK_NAME.exec(req.params.chunk);
    if (!Number.isFinite(id) || !c) return fail(res, 404, 'not found');
    const ts = await replay.chunk(id, Number(c[1]));
    if (!ts) return fail(res, 404, 'no such chunk');
    for (const [name, value] of Object.entries(HLS_CORS)) res.setHeader(name, value);
    res.setHeader('Cache-Control', PLAYLIST_CACHE);
    res.setHeader('Content-Type', SEGMENT_TYPE);
    res.send(Buffer.from(ts.buffer, ts.byteOffset, ts.byteLength));
  });

  return router;
}

/** The longest time-shift window one playlist may cover. */
export const MAX_WINDOW_MS = 24 * 3600_000;

function isoParam(params: URLSearchParams, name: string): number | string {
  const v = params.get(name);
  if (v === null) return `missing ${name}: give both start and end as ISO 8601 date-times`;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  return Number.isFinite(ms)
    ? ms
    : `invalid ${name} ${JSON.stringify(v)}: must be an ISO 8601 date-time such as 2026-12-02T06:54:51Z`;
}

/**
 * GET /hls/NAME.m3u8?start=ISO&end=ISO, mounted on /hls before the live routes: a VOD playlist
 * of the retained segments in the window. A request without start and end goes on to them.
 */
export function timeShiftRoutes(calls: CallService, stream: string): Router {
  const router = express.Router();
  // A middleware, not router.get: a route would answer OPTIONS itself, before the /hls CORS preflight.
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path !== `/${stream}.m3u8`) return next();
    const params = paramsOf(req);
    if (!params.has('start') && !params.has('end')) return next();
    for (const [name, value] of Object.entries(HLS_CORS)) res.setHeader(name, value);
    res.setHeader('Cache-Control', PLAYLIST_CACHE);
    const start = isoParam(params, 'start');
    const end = isoParam(params, 'end');
    const bad = (text: string): void =>
      void res
        .status(400)
        .type('text/plain')
        .send(text + '\n');
    if (typeof start === 'string') return bad(start);
    if (typeof end === 'string') return bad(end);
    if (end <= start) return bad('invalid end: must be later than start');
    if (end - start > MAX_WINDOW_MS) return bad('invalid end: a window may span at most 24 h');
    const text = calls.replay.windowPlaylist(start, end);
    if (text === null) {
      return void res.status(404).type('text/plain').send('no retained media in that window\n');
    }
    res.setHeader('Content-Type', PLAYLIST_TYPE);
    res.send(Buffer.from(text));
  });
  return router;
}
