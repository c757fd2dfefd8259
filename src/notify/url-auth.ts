// src/notify/url-auth.ts: splitUrlAuth: user:password@ taken out of a URL into an Authorization header, since fetch refuses URLs with credentials (pure).

/** The URL without credentials, and the Basic Authorization header they make (or null). */
export function splitUrlAuth(url: string): { url: string; authorization: string | null } {
  const u = new URL(url);
  if (u.username === '' && u.password === '') return { url, authorization: null };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return {
    url: u.toString(),
    authorization: `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`,
  };
}
