// test/helpers/tls.ts: a self-signed certificate made with the openssl CLI, and small HTTP/2 and HTTP/1.1-over-TLS clients for the TLS tests.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  connect,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type IncomingHttpStatusHeader,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { Agent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { tempDir } from './server.js';

const run = promisify(execFile);

/** A certificate for localhost and 127.0.0.1 and its key, as files and as PEM text. */
export interface TestCert {
  certFile: string;
  keyFile: string;
  /** The certificate itself: clients trust it as their only CA. */
  ca: Buffer;
}

/** A self-signed RSA certificate for CN=localhost, IP 127.0.0.1, valid two days. */
export async function makeSelfSignedCert(dir = tempDir('shls-tls-')): Promise<TestCert> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-days',
    '2',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { certFile, keyFile, ca: readFileSync(certFile) };
}

/** An HTTP/2 connection to an https:// origin that trusts only ca (verification stays on). */
export async function h2Connect(origin: string, ca: Buffer): Promise<ClientHttp2Session> {
  const session = connect(origin, { ca });
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}

/** The protocol ALPN chose for an HTTP/2 client session ('h2' when HTTP/2 was negotiated). */
export function alpnOf(session: ClientHttp2Session): string | false | null {
  return (session.socket as TLSSocket).alpnProtocol;
}

/** A whole HTTP/2 response. */
export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders & IncomingHttpStatusHeader;
  body: Buffer;
  /** The body as text, gunzipped first when content-encoding is gzip. */
  text(): string;
}

/** Sends one request on session and reads the whole response. */
export function h2Request(
  session: ClientHttp2Session,
  path: string,
  headers: OutgoingHttpHeaders = {},
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, ...headers });
    const chunks: Buffer[] = [];
    let head: (IncomingHttpHeaders & IncomingHttpStatusHeader) | null = null;
    stream.on('response', (h) => (head = h));
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('error', reject);
    stream.on('end', () => {
      if (!head) return reject(new Error(`no response headers for ${path}`));
      const body = Buffer.concat(chunks);
      const h = head;
      resolve({
        status: Number(h[':status']),
        headers: h,
        body,
        text: () => (h['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'),
      });
    });
    stream.end();
  });
}

/** An open HTTP/2 stream read as text as it arrives (Server-Sent Events). */
export interface H2TextStream {
  status: number;
  headers: IncomingHttpHeaders & IncomingHttpStatusHeader;
  /** Resolves with the text so far once it matches pattern; rejects after timeoutMs. */
  until(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): void;
}

/** Opens path on session and resolves once the response headers arrive. */
export function h2Open(session: ClientHttp2Session, path: string): Promise<H2TextStream> {
  return new Promise((resolve, reject) => {
    const stream: ClientHttp2Stream = session.request({ ':path': path });
    let text = '';
    const waiters = new Set<() => void>();
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      text += d;
      for (const w of [...waiters]) w();
    });
    stream.once('error', reject);
    stream.end();
    stream.once('response', (headers) => {
      resolve({
        status: Number(headers[':status']),
        headers,
        until: (pattern, timeoutMs = 15_000) =>
          new Promise((res, rej) => {
            const check = (): void => {
              if (!pattern.test(text)) return;
              waiters.delete(check);
              clearTimeout(timer);
              res(text);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej(new Error(`no ${String(pattern)} within ${timeoutMs} ms; got ${text}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        close: () => stream.close(),
      });
    });
  });
}

/** An HTTP/1.1 response over TLS. */
export interface Https1Response {
  status: number;
  httpVersion: string;
  alpn: string | false | null;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET url with the https module, offering only http/1.1 in ALPN. */
export function https1Get(url: string, ca: Buffer): Promise<Https1Response> {
  return new Promise((resolve, reject) => {
    const agent = new Agent({ ca, ALPNProtocols: ['http/1.1'], keepAlive: false });
    const req = httpsRequest(url, { agent }, (res) => {
      const alpn = (res.socket as TLSSocket).alpnProtocol;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          httpVersion: res.httpVersion,
          alpn,
          headers: res.headers,
          body,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
