// src/http/allowed-sources.ts: parseAllowedSource: one --allowed-sources origin (scheme://host[:port]) the page's ?src= may name.

/** Parses one origin; throws Error(one line) unless it is an http(s) origin with nothing after it. */
export function parseAllowedSource(s: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Error('must be an origin like https://feeds.example.org (no path)');
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== s.replace(/\/$/, '')) {
    throw new Error('must be an origin like https://feeds.example.org (no path)');
  }
  return u.origin;
}
