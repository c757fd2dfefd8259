// src/relay/icecast-source.ts: the socket adapter for one Icecast source connection (send the head, read the replies, then a raw socket for the MP3) and the /admin/metadata title request.
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import {
  basicAuth,
  headEnd,
  metadataPath,
  parseStatusLine,
  type ReplyStatus,
  type ReplyMeaning,
  replyMeaning,
  sourceRequestHead,
  type StreamInfo,
  USER_AGENT,
} from './icecast-request.js';
import type { RelaySpec } from './relay-spec.js';

/** Why a connection attempt failed: the reply's meaning, or 'network' (refused, reset, timeout). */
export class SourceError extends Error {
  constructor(
    readonly kind: Exclude<ReplyMeaning['kind'], 'ok' | 'continue'> | 'network',
    message: string,
  ) {
    super(message);
  }
}

/** Most bytes of reply read before giving up on a head (Icecast's are tiny). */
const MAX_REPLY = 16_384;

/**
 * Opens a source connection: TCP, the SOURCE or PUT head, then replies until 200 (a 100 Continue
 * first with PUT). Resolves with the socket, ready for the raw MP3 ("the body is raw MP3 bytes,
 * never chunked", so no http.request); rejects with a SourceError.
 */
export function openSource(spec: RelaySpec, info: StreamInfo, timeoutMs = 10_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: spec.host, port: spec.port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const fail = (e: SourceError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () =>
        fail(
          new SourceError('network', `no reply from ${spec.host}:${spec.port} in ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write(sourceRequestHead(spec, info)));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      fail(new SourceError('network', `${spec.host}:${spec.port}: ${e.code ?? e.message}`)),
    );
    // A refusal: its status line, and where its body starts in buf.
    let refusal: { status: ReplyStatus; bodyAt: number } | null = null;
    const failRefused = (): void => {
      if (!refusal) return;
      const m = replyMeaning(refusal.status, buf.subarray(refusal.bodyAt).toString('utf8'));
      if (m.kind !== 'ok' && m.kind !== 'continue') fail(new SourceError(m.kind, m.message));
    };
    socket.on('close', () => {
      if (refusal) failRefused();
      else fail(new SourceError('network', 'connection closed before a reply'));
    });
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const at = headEnd(buf);
        if (!at) {
          if (buf.length > MAX_REPLY) fail(new SourceError('refused', 'reply head too long'));
          return;
        }
        const head = buf.subarray(0, at.end).toString('latin1');
        const status = parseStatusLine(head);
        if (!status)
          return fail(new SourceError('refused', `not an HTTP reply: ${head.slice(0, 40)}`));
        const meaning = replyMeaning(status, buf.subarray(at.end).toString('utf8'));
        if (meaning.kind === 'continue') {
          buf = buf.subarray(at.end);
          continue;
        }
        if (meaning.kind === 'ok') {
          settled = true;
          clearTimeout(timer);
          socket.off('data', onData);
          socket.removeAllListeners('error');
          socket.removeAllListeners('close');
          // Icecast sends nothing more on a source connection; anything it does send is ignored.
          socket.on('data', () => undefined);
          resolve(socket);
          return;
        }
        // Wait briefly for the body (2.4 puts the 403 reason there), then give up.
        refusal = { status, bodyAt: at.end };
        setTimeout(failRefused, 200);
        socket.off('data', onData);
        socket.on('data', (more: Buffer) => {
          if (buf.length < MAX_REPLY) buf = Buffer.concat([buf, more]);
        });
        return;
      }
    };
    socket.on('data', onData);
  });
}

/** Sets the mount's title with GET /admin/metadata (mode=updinfo); resolves true when Icecast says <return>1</return>. */
export function updateTitle(
  spec: RelaySpec,
  song: string,
  timeoutMs = 5_000,
): Promise<{ ok: boolean; message: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: spec.host,
        port: spec.port,
        path: metadataPath(spec.mount, song),
        method: 'GET',
        headers: { Authorization: basicAuth(spec.user, spec.password), 'User-Agent': USER_AGENT },
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < MAX_REPLY) body += d;
        });
        res.on('end', () => {
          const ok = res.statusCode === 200 && /<return>\s*1\s*<\/return>/.test(body);
          resolve({
            ok,
            message: ok ? 'ok' : `${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trim(),
          });
        });
        res.on('error', (e) => resolve({ ok: false, message: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, message: e.code ?? e.message }),
    );
    req.end();
  });
}
