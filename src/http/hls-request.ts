// src/http/hls-request.ts: what the /hls handlers read from a request: whether its path stays inside the served directory, and whether it accepts gzip.

/** True for a path that stays inside the directory: no '..', no dotfiles, no NUL, no backslash. */
export function isContainedPath(urlPath: string): boolean {
  let p: string;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  if (p.includes('\0') || p.includes('\\')) return false;
  return p.split('/').every((part) => part === '' || (!part.startsWith('.') && part !== '..'));
}

/**
 * Whether a response may be gzipped, by the request's Accept-Encoding (RFC 9110 §12.5.3): gzip
 * (or *) with a q above 0, and not below identity's. Identity not named takes the lowest q named,
 * as Express's negotiator does, so "br, gzip;q=0.5" still gets gzip; no header means identity.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let identity: number | undefined;
  let star: number | undefined;
  let lowest = 1;
  for (const item of header.split(',')) {
    const [coding = '', ...params] = item.trim().toLowerCase().split(';');
    if (coding === '') continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const quality = Number.isFinite(q) ? q : 0;
    lowest = Math.min(lowest, quality);
    if (coding === 'gzip' || coding === 'x-gzip') gzip = quality;
    else if (coding === 'identity') identity = quality;
    else if (coding === '*') star = quality;
  }
  const qGzip = gzip ?? star ?? 0;
  const qIdentity = identity ?? star ?? lowest;
  return qGzip > 0 && qGzip >= qIdentity;
}
