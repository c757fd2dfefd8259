// src/http/allowed-sources.ts: the --allowed-sources origins (scheme://host[:port]) the page's ?src= may name: parsing one, and deciding a ?src=.

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

/**
 * The origin of an absolute http(s) URL, else null (not a string, empty, relative, or another
 * scheme). Only this parsed origin ever reaches a header: never the text as given.
 */
export function httpOriginOf(src: unknown): string | null {
  if (typeof src !== 'string' || src === '') return null;
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.origin;
}

/**
 * The origin a ?src= playlist may be loaded from, or null: an absolute http(s) URL whose origin
 * is one of the allowed ones. A relative src is this server (the page checks that itself and
 * needs nothing added to its CSP); with no allowed origins (the default) only this server is.
 */
export function allowedSrcOrigin(src: unknown, allowed: readonly string[]): string | null {
  const origin = httpOriginOf(src);
  return origin !== null && allowed.includes(origin) ? origin : null;
}
