// src/http/body-limit.ts: the request body size each route allows, and the guard that answers 413 from the headers, before any body is read.
import type { RequestHandler } from 'express';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Largest JSON body of a scanner control call (POST /api/scanner/<action>, PUT /api/scanner/channels/N). */
export const CONTROL_BODY_LIMIT = 4096;

/**
 * The largest body a request may carry, by method and path. Only scanner control takes a body;
 * every other route (the page, /hls, /api/status, /api/calls, /metrics…) takes none, so any body
 * there is refused. RFC 9110 §9.3.1: "content received in a GET request has no generally
 * defined semantics … might lead some implementations to reject the request".
 */
export function bodyLimitFor(method: string | undefined, path: string): number {
  if ((method === 'POST' || method === 'PUT') && path.startsWith('/api/scanner/'))
    return CONTROL_BODY_LIMIT;
  return 0;
}

/** The body a request announces: its Content-Length, Infinity for a chunked body of unknown size, 0 for none. */
export function announcedBodyBytes(headers: IncomingHttpHeaders): number {
  const te = headers['transfer-encoding'];
  if (te !== undefined && te !== '' && te !== 'identity') return Infinity;
  const cl = headers['content-length'];
  if (cl === undefined || cl === '') return 0;
  // node rejects a malformed or repeated Content-Length itself (400) before we see it.
  const n = Number(cl);
  return Number.isFinite(n) && n >= 0 ? n : Infinity;
}

/** The path of a request URL, without its query (the raw URL, as node gives it). */
function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/** What the guard reads of a request: node:http's and HTTP/2's compat request both have it. */
export type BodyRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'httpVersionMajor'>;

/** What the guard writes: node:http's and HTTP/2's compat response both have it. */
export interface BodyResponse {
  setHeader(name: string, value: string): unknown;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(text: string): unknown;
}

/**
 * Answers 413 when the request announces more body than its route allows, and returns true;
 * false (nothing written) when the request may go on. A chunked body to a route that takes one
 * goes on: its parser (express.json with the same limit) stops reading at the limit. The 413
 * closes the connection (HTTP/1.1) so the unread body is never read to find the next request.
 */
export function refuseOversizedBody(req: BodyRequest, res: BodyResponse): boolean {
  const limit = bodyLimitFor(req.method, pathOf(req.url));
  const announced = announcedBodyBytes(req.headers);
  if (announced <= limit || (limit > 0 && announced === Infinity)) return false;
  const error =
    limit === 0
      ? `${req.method ?? 'this'} ${pathOf(req.url).slice(0, 60)} takes no request body`
      : `request body too large: at most ${limit} bytes`;
  const text = JSON.stringify({ error });
  // HTTP/2 forbids connection headers; its compat response has no shouldKeepAlive.
  if (req.httpVersionMajor < 2) res.setHeader('Connection', 'close');
  res.writeHead(413, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
  return true;
}

/** A node:http listener that refuses oversized bodies (refuseOversizedBody) before handing on. */
export function withBodyLimits(
  next: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!refuseOversizedBody(req, res)) next(req, res);
  };
}

/** An error with an HTTP status (error-status.ts httpStatusOf reads it, as for body-parser's). */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * express.json's job for small control bodies, but it stops reading at limit: a longer body
 * (chunked, so no Content-Length to refuse it by) fails with 413 as soon as the limit is passed,
 * and the rest is never read (the 413 closes the connection). body-parser instead reads a too
 * large body to its end before answering. Like express.json (strict): only application/json is
 * parsed, it must be an object or array, and req.body stays undefined when there is none.
 */
export function jsonBody(limit: number): RequestHandler {
  return (req, _res, next) => {
    // Already read (an app-wide express.json before this router, as some tests mount): keep it.
    if (req.readableEnded || (req.complete && !req.readable)) return next();
    if (!req.is('application/json') || announcedBodyBytes(req.headers) === 0) return next();
    const coding = req.headers['content-encoding'];
    if (coding !== undefined && coding !== 'identity')
      return next(new BodyError(415, 'control bodies are plain JSON, not compressed'));
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err?: BodyError): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) {
        req.pause();
        return next(err);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (!/^[\s]*[[{]/.test(text))
        return next(new BodyError(400, 'the body must be a JSON object'));
      try {
        req.body = JSON.parse(text) as unknown;
      } catch {
        return next(new BodyError(400, 'the body is not valid JSON'));
      }
      next();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit)
        return finish(new BodyError(413, `request body too large: at most ${limit} bytes`));
      chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (): void => finish(new BodyError(400, 'the request body was cut off'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };
}
