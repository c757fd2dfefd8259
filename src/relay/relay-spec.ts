// src/relay/relay-spec.ts: parseRelaySpec: one --relay icecast://source:PASSWORD@HOST:PORT/MOUNT[?protocol=put|source&name=…&public=0] as a value.

/**
 * How the source connects. Icecast 2.4 accepts both; "Icecast ≥ 2.4.0: PUT /mount HTTP/1.1 …
 * Older servers: SOURCE /mount HTTP/1.0 … SDRTrunk uses SOURCE … HTTP/1.0 for Broadcastify"
 * (reference/scanner-ecosystem.md §3.4), so SOURCE is the default: it works on both.
 */
export type RelayProtocol = 'source' | 'put';

/** One Icecast relay target. */
export interface RelaySpec {
  /** The spec as given, with the password masked (for logs and /api/status). */
  display: string;
  host: string;
  port: number;
  mount: string;
  user: string;
  password: string;
  protocol: RelayProtocol;
  /** ice-name, ice-description, ice-genre, ice-url (when given). */
  name?: string;
  description?: string;
  genre?: string;
  url?: string;
  /** ice-public: list the stream in a directory (default false). */
  public: boolean;
}

const FORM = 'icecast://source:PASSWORD@HOST:PORT/MOUNT';
const KNOWN = new Set(['protocol', 'name', 'public', 'description', 'genre', 'url']);

/** Parses one --relay value; throws Error(one line naming what is wrong). */
export function parseRelaySpec(s: string): RelaySpec {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Error(`must be ${FORM}`);
  }
  if (u.protocol !== 'icecast:') throw new Error(`must start with icecast:// (${FORM})`);
  if (u.hostname === '') throw new Error(`has no host (${FORM})`);
  const port = u.port === '' ? 8000 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`port must be 1-65535 (${FORM})`);
  }
  const mount = decodeURIComponent(u.pathname);
  if (!mount.startsWith('/') || mount.length < 2) {
    throw new Error(`needs a mount starting with '/' (${FORM})`);
  }
  if ([...mount].some((ch) => ch.charCodeAt(0) <= 0x20 || ch === '\u007f'))
    throw new Error('mount must not contain spaces or controls');
  const password = decodeURIComponent(u.password);
  if (password === '') throw new Error(`needs a password (${FORM})`);
  const user = decodeURIComponent(u.username || 'source');
  for (const key of u.searchParams.keys()) {
    if (!KNOWN.has(key)) {
      throw new Error(`unknown option ${key} (known: ${[...KNOWN].join(', ')})`);
    }
  }
  const q = u.searchParams;
  const protocol = (q.get('protocol') ?? 'source').toLowerCase();
  if (protocol !== 'source' && protocol !== 'put') {
    throw new Error(`protocol must be put or source, not ${protocol}`);
  }
  const pub = q.get('public') ?? '0';
  if (!['0', '1', 'true', 'false', 'yes', 'no'].includes(pub.toLowerCase())) {
    throw new Error(`public must be 0 or 1, not ${pub}`);
  }
  const text = (key: string): string | undefined => {
    const v = q.get(key);
    if (v === null || v === '') return undefined;
    if (/[\r\n]/.test(v)) throw new Error(`${key} must be one line`);
    return v;
  };
  return {
    display: maskPassword(s),
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    mount,
    user,
    password,
    protocol,
    name: text('name'),
    description: text('description'),
    genre: text('genre'),
    url: text('url'),
    public: ['1', 'true', 'yes'].includes(pub.toLowerCase()),
  };
}

/** The spec with the password (between the first ':' and the last '@' of the authority) replaced by ***. */
function maskPassword(s: string): string {
  const start = s.indexOf('//') + 2;
  const end = s.slice(start).search(/[/?#]/);
  const authority = end < 0 ? s.slice(start) : s.slice(start, start + end);
  const at = authority.lastIndexOf('@');
  const colon = authority.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return s;
  return s.slice(0, start + colon + 1) + '***' + s.slice(start + at);
}
