// src/relay/relay-spec.ts: parseRelaySpec: one --relay icecast://source:PASSWORD@HOST:PORT/MOUNT[?protocol=put|source&name=…&public=0] as a value.

/** One Icecast relay target. */
export interface RelaySpec {
  /** The spec as given, with the password masked (for logs and /api/status). */
  display: string;
  host: string;
  port: number;
  mount: string;
  user: string;
  password: string;
}

/** Parses one --relay value; throws Error(one line naming what is wrong). */
export function parseRelaySpec(s: string): RelaySpec {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Error('must be icecast://source:PASSWORD@HOST:PORT/MOUNT');
  }
  if (u.protocol !== 'icecast:') throw new Error('must start with icecast://');
  const port = u.port === '' ? 8000 : Number(u.port);
  return {
    display: s.replace(/:[^:@/]*@/, ':***@'),
    host: u.hostname,
    port,
    mount: u.pathname,
    user: decodeURIComponent(u.username || 'source'),
    password: decodeURIComponent(u.password),
  };
}
