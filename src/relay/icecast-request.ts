// src/relay/icecast-request.ts: the Icecast source protocol as values (pure): the SOURCE/PUT request head, the reply's status line, what a reply means, and the /admin/metadata path.
import type { RelaySpec } from './relay-spec.js';

/** What the relay tells Icecast about the audio (ice-bitrate, ice-audio-info). */
export interface StreamInfo {
  sampleRate: number;
  channels: number;
  /** kbit/s, from the frame headers. */
  bitrateKbps: number;
}

export const USER_AGENT = 'scanner-hls relay';

/** Basic credentials: "Authorization: Basic base64(user:password)" (Icecast client.c client_check_source_auth). */
export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/**
 * The request head, ending in the blank line; the raw MP3 follows on the same socket.
 * "Icecast ≥ 2.4.0: PUT /mount HTTP/1.1 … Older servers: SOURCE /mount HTTP/1.0";
 * "Content-Type: audio/mpeg … For PUT it is required; without it the reply is 403";
 * "ice-audio-info (samplerate=22050;channels=1;bitrate=16, URL-encoded values)"
 * (reference/scanner-ecosystem.md §3.4). No Content-Length and no chunked encoding: "2.4.4's
 * source path has no chunked decoder".
 */
export function sourceRequestHead(spec: RelaySpec, info: StreamInfo): string {
  const path = encodeURI(spec.mount);
  const lines =
    spec.protocol === 'put'
      ? [
          `PUT ${path} HTTP/1.1`,
          `Host: ${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`,
          'Expect: 100-continue',
        ]
      : [`SOURCE ${path} HTTP/1.0`];
  lines.push(
    `Authorization: ${basicAuth(spec.user, spec.password)}`,
    `User-Agent: ${USER_AGENT}`,
    'Content-Type: audio/mpeg',
    `ice-public: ${spec.public ? 1 : 0}`,
  );
  if (spec.name) lines.push(`ice-name: ${spec.name}`);
  if (spec.description) lines.push(`ice-description: ${spec.description}`);
  if (spec.genre) lines.push(`ice-genre: ${spec.genre}`);
  if (spec.url) lines.push(`ice-url: ${spec.url}`);
  lines.push(
    `ice-bitrate: ${info.bitrateKbps}`,
    `ice-audio-info: ${[
      `samplerate=${info.sampleRate}`,
      `channels=${info.channels}`,
      `bitrate=${info.bitrateKbps}`,
    ]
      .map((kv) => encodeURIComponent(kv).replace('%3D', '='))
      .join(';')}`,
  );
  return lines.join('\r\n') + '\r\n\r\n';
}

/** A reply's status line. */
export interface ReplyStatus {
  version: string;
  status: number;
  reason: string;
}

/** Where the head ends in buf ("\r\n\r\n", or "\n\n" from a lax server); -1 while incomplete. */
export function headEnd(buf: Uint8Array): { end: number } | null {
  const text = Buffer.from(buf).toString('latin1');
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return null;
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { end: crlf + 4 };
  return { end: lf + 2 };
}

/** Parses "HTTP/1.0 200 OK" or "ICE/1.0 200 OK"; null when the line is not a status line. */
export function parseStatusLine(head: string): ReplyStatus | null {
  const line = head.split(/\r?\n/, 1)[0] ?? '';
  const m = /^((?:HTTP|ICE)\/\d\.\d)\s+(\d{3})(?:\s+(.*))?$/.exec(line.trim());
  if (!m) return null;
  return { version: m[1], status: Number(m[2]), reason: (m[3] ?? '').trim() };
}

/** What a reply means to the relay. */
export type ReplyMeaning =
  | { kind: 'continue' }
  | { kind: 'ok' }
  /** 401: wrong user or password; retry slowly. */
  | { kind: 'auth'; message: string }
  /** 403 Mountpoint in use: an old source lingers; temporary. */
  | { kind: 'in-use'; message: string }
  /** Any other refusal (403 Content-type not supported, too many sources, 404, 5xx). */
  | { kind: 'refused'; message: string };

/**
 * Icecast's replies (reference §3.4): "With Expect: 100-continue, Icecast first sends HTTP/1.1
 * 100 Continue"; "On success it sends HTTP/1.0 200 OK\r\n\r\n with no headers"; errors "401
 * (missing or bad credentials); 403 Mountpoint in use; 403 Content-type not supported; 403 too
 * many sources connected". The 403 reason is in the status line or, in 2.4, in the body.
 */
export function replyMeaning(s: ReplyStatus, body = ''): ReplyMeaning {
  const said = `${s.status} ${s.reason}`.trim();
  if (s.status === 100) return { kind: 'continue' };
  if (s.status >= 200 && s.status < 300) return { kind: 'ok' };
  if (s.status === 401) return { kind: 'auth', message: `${said}: wrong source user or password` };
  const text = `${s.reason} ${body}`;
  if (s.status === 403 && /mount\s*point\s+in\s+use/i.test(text)) {
    return { kind: 'in-use', message: '403 Mountpoint in use' };
  }
  const detail = /403/.test(said) && body ? ` (${oneLine(body)})` : '';
  return { kind: 'refused', message: `${said}${detail}` };
}

/** Markup stripped, whitespace folded, at most 120 characters. */
function oneLine(body: string): string {
  return body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}

/**
 * The title update: "GET /admin/metadata?mount=/mount&mode=updinfo&song=<urlencoded>&charset=UTF-8,
 * with the same Basic auth" (Icecast admin.c command_metadata; with source credentials the request
 * must come from the source's own address).
 */
export function metadataPath(mount: string, song: string): string {
  const q = new URLSearchParams({ mount, mode: 'updinfo', song, charset: 'UTF-8' });
  return `/admin/metadata?${q.toString().replace(/\+/g, '%20')}`;
}
