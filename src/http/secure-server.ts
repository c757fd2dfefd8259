// src/http/secure-server.ts: HTTPS with HTTP/2 (HTTP/1.1 over TLS still allowed) for the Express app: reads and checks --tls-cert/--tls-key, runs Express on node's HTTP/2 compat objects, drops connection-specific headers, never times out held requests.
import { readFileSync } from 'node:fs';
import {
  createSecureServer,
  type Http2SecureServer,
  Http2ServerRequest,
  Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ConfigError, errorMessage, systemCause } from '../errors.js';
import { refuseOversizedBody } from './body-limit.js';
import { expressPrototypes } from './express-prototypes.js';

/** Longest TLS handshake a client may take. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The PEM certificate chain and private key, read and checked. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** OpenSSL's reason without its "error:0480006C:PEM routines::" prefix, e.g. "no start line". */
function opensslReason(e: unknown): string {
  const m = /^error:[0-9A-F]+:[^:]*:[^:]*:(.+)$/.exec(errorMessage(e));
  return m?.[1] ?? errorMessage(e);
}

/**
 * Reads --tls-cert and --tls-key and checks that each parses and that the key belongs to the
 * certificate, so a user's mistake is one ConfigError naming the flag and the cause, at start-up.
 */
export function loadTlsCredentials(certFile: string, keyFile: string): TlsCredentials {
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ConfigError(`cannot read ${flag} ${file}: ${systemCause(e)}`);
    }
  };
  const cert = read('--tls-cert', certFile);
  const key = read('--tls-key', keyFile);
  try {
    createSecureContext({ cert });
  } catch (e) {
    throw new ConfigError(
      `invalid --tls-cert ${certFile}: not a PEM certificate (${opensslReason(e)})`,
    );
  }
  try {
    createSecureContext({ key });
  } catch (e) {
    throw new ConfigError(
      `invalid --tls-key ${keyFile}: not a PEM private key (${opensslReason(e)})`,
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new ConfigError(
      `invalid --tls-key ${keyFile}: it does not belong to --tls-cert ${certFile} (${opensslReason(e)})`,
    );
  }
  return { cert, key };
}

/**
 * RFC 9113 §8.2.2: "An endpoint MUST NOT generate an HTTP/2 message containing connection-specific
 * header fields … Connection, Proxy-Connection, Keep-Alive, Transfer-Encoding, Upgrade". Code
 * written for HTTP/1.1 (the SSE helper's Connection: keep-alive) may set them: on HTTP/2 they are
 * dropped here, silently (node would drop them with an UnsupportedWarning, or refuse them).
 */
const CONNECTION_HEADERS = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

export function isConnectionHeader(name: string): boolean {
  return CONNECTION_HEADERS.has(name.toLowerCase());
}

type HeaderValue = number | string | readonly string[];
type OutgoingHeaders = Record<string, HeaderValue | undefined> | readonly HeaderValue[];

function isHeaderList(h: OutgoingHeaders): h is readonly HeaderValue[] {
  return Array.isArray(h);
}

function withoutConnectionHeaders(headers: OutgoingHeaders): OutgoingHeaders {
  if (!isHeaderList(headers)) {
    const out: Record<string, HeaderValue | undefined> = {};
    for (const [k, v] of Object.entries(headers)) if (!isConnectionHeader(k)) out[k] = v;
    return out;
  }
  // A flat [name, value, name, value, …] list.
  const out: HeaderValue[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const k = headers[i];
    if (typeof k === 'string' && isConnectionHeader(k)) continue;
    const v = headers[i + 1];
    if (k !== undefined && v !== undefined) out.push(k, v);
  }
  return out;
}

const h2Response = Http2ServerResponse.prototype;

/** Http2ServerResponse's methods that this layer wraps, as they are called here. */
interface ResponseBase {
  setHeader(name: string, value: HeaderValue): unknown;
  appendHeader(name: string, value: HeaderValue): unknown;
  writeHead(status: number, ...rest: unknown[]): unknown;
}
const base = h2Response as unknown as ResponseBase;

/**
 * A layer over Http2ServerResponse.prototype: connection-specific headers are dropped, and the
 * reason phrase is ignored (RFC 9113 §8.3.2: "HTTP/2 does not define a way to carry the version
 * or reason phrase that is included in an HTTP/1.1 status line"; finalhandler sets one).
 */
const h2ResponseLayer = Object.create(h2Response, {
  setHeader: {
    value: function setHeader(this: ResponseBase, name: string, value: HeaderValue) {
      return isConnectionHeader(name) ? this : base.setHeader.call(this, name, value);
    },
  },
  appendHeader: {
    value: function appendHeader(this: ResponseBase, name: string, value: HeaderValue) {
      return isConnectionHeader(name) ? this : base.appendHeader.call(this, name, value);
    },
  },
  writeHead: {
    value: function writeHead(this: ResponseBase, status: number, ...rest: unknown[]) {
      const last = rest.length - 1;
      const headers = rest[last];
      if (last >= 0 && typeof headers === 'object' && headers !== null) {
        rest[last] = withoutConnectionHeaders(headers as OutgoingHeaders);
      }
      return base.writeHead.call(this, status, ...rest);
    },
  },
  statusMessage: {
    get: () => '',
    set: () => {},
  },
}) as object;

/**
 * proto's chain down to oldBase, rebuilt on newBase instead: each prototype above oldBase keeps
 * its own properties (Express's methods, the app's own `app` property), in the same order.
 */
function rebase(proto: object, oldBase: object, newBase: object): object {
  const layers: object[] = [];
  for (let p: object | null = proto; p !== oldBase; p = Object.getPrototypeOf(p) as object | null) {
    if (p === null) throw new Error('the Express prototype does not derive from node:http');
    layers.push(p);
  }
  let out = newBase;
  for (const layer of layers.reverse()) {
    out = Object.create(out, Object.getOwnPropertyDescriptors(layer)) as object;
  }
  return out;
}

/** What this module uses of an Express application (lib/application.js). */
interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void;
  handle(req: unknown, res: unknown): void;
  request: object;
  response: object;
  router: { stack: Layer[] };
}

interface Layer {
  name: string;
  handle: unknown;
}

function isExpressApp(h: unknown): boolean {
  return (
    typeof h === 'function' && 'handle' in h && 'request' in h && 'response' in h && 'set' in h
  );
}

/**
 * The name of a mounted Express sub-application, if any. Express 5's app.handle sets the request
 * prototypes of the app it runs (`Object.setPrototypeOf(req, this.request)`), and app.use(subApp)
 * wraps it as `mounted_app`, which restores the parent's own HTTP/1 prototypes afterwards: either
 * would put an HTTP/1 prototype on an HTTP/2 request. Routers and middleware leave them alone.
 */
function subApplication(stack: Layer[], where: string): string | null {
  for (const layer of stack) {
    if (layer.name === 'mounted_app' || isExpressApp(layer.handle)) return where;
    const inner = layer.handle as { stack?: unknown };
    if (typeof layer.handle === 'function' && Array.isArray(inner.stack)) {
      const found = subApplication(inner.stack as Layer[], `${where} › ${layer.name}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * A request listener that runs app for HTTP/1.1 requests as usual and, for HTTP/2 requests, with
 * Express's request and response methods carried over node's Http2ServerRequest/Response
 * prototypes (Express would otherwise replace those prototypes with ones derived from
 * http.IncomingMessage/ServerResponse, and the compat objects stop working).
 */
export function http2Compatible(
  expressApp: unknown,
): (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void {
  const app = expressApp as ExpressApp;
  if (typeof app.handle !== 'function' || !app.request || !app.response) {
    throw new Error('http2Compatible needs an Express application');
  }
  const sub = subApplication(app.router.stack, 'app');
  if (sub)
    throw new Error(`an Express sub-application is mounted (${sub}); mount a Router instead`);
  // Express's own prototypes, also when the app runs on node's (express-prototypes.ts).
  const own = expressPrototypes(app);
  const request = rebase(own.request, IncomingMessage.prototype, Http2ServerRequest.prototype);
  const response = rebase(own.response, ServerResponse.prototype, h2ResponseLayer);
  // app.handle reads `this.request` / `this.response`; everything else comes from app itself.
  const h2App = Object.create(app, {
    request: { value: request },
    response: { value: response },
  }) as ExpressApp;
  return (req, res) => {
    if (req instanceof Http2ServerRequest) {
      // RFC 9113 §8.3.1: "An intermediary that converts a request to HTTP/1.1 MUST create a Host
      // header field if one is not present in a request by copying the value of the :authority
      // pseudo-header field." Express reads Host (req.host, req.hostname).
      if (req.headers.host === undefined && req.authority) req.headers.host = req.authority;
      h2App.handle(req, res);
    } else {
      app(req, res as ServerResponse);
    }
  };
}

/** The HTTPS server and a way to drop every connection (as http.Server's closeAllConnections). */
export interface SecureServer {
  server: Http2SecureServer;
  /** Destroys every HTTP/2 session and TLS connection, open streams (SSE) included. */
  closeAllConnections(): void;
}

/**
 * A node:http handler that runs before Express and calls next() for what it does not answer
 * (the /hls front handler that holds LL-HLS requests outside Express, HlsRouter.front).
 */
export type FrontHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * An HTTPS server for app: HTTP/2 by ALPN, HTTP/1.1 over TLS for clients that do not offer h2.
 * front, if given, sees every request first. On HTTP/2 it gets node's compat objects, which
 * offer the same request/response API as node:http ("the compatibility API … to provide a
 * similar developer experience … when using HTTP/2", node's http2 docs); front uses only that.
 */
export function createSecureAppServer(
  expressApp: unknown,
  tls: TlsCredentials,
  front?: FrontHandler,
): SecureServer {
  const toApp = http2Compatible(expressApp);
  const listener: typeof toApp = front
    ? (req, res) => {
        // front writes headers before Express runs: drop connection headers for it too.
        if (res instanceof Http2ServerResponse) Object.setPrototypeOf(res, h2ResponseLayer);
        front(req as IncomingMessage, res as ServerResponse, () => toApp(req, res));
      }
    : toApp;
  const server = createSecureServer(
    // A TLS handshake that has not finished in 10 s is a slow client (node's default is 120 s).
    { cert: tls.cert, key: tls.key, allowHTTP1: true, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS },
    (req, res) => {
      // A body larger than its route allows is refused from the headers (body-limit.ts).
      if (!refuseOversizedBody(req, res)) listener(req, res);
    },
  );
  // Blocking playlist reloads and Server-Sent Events are held open on purpose: no idle timeout
  // on HTTP/2 sessions or TLS sockets (0 = none). The header, request and keep-alive timeouts
  // for HTTP/1.1 over TLS, and the slow-reader watchdog, are set by applyServerLimits
  // (server-limits.ts), as for the plain HTTP server.
  server.setTimeout(0);
  const sessions = new Set<ServerHttp2Session>();
  const sockets = new Set<Socket>();
  server.on('session', (s: ServerHttp2Session) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    server,
    closeAllConnections: () => {
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
    },
  };
}
