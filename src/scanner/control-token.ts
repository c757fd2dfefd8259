// src/scanner/control-token.ts: the Bearer token for control calls: configured, or generated once and kept in the state dir (0600).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a token came from. */
export type TokenSource = 'config' | 'stored' | 'generated';

/** File name of the stored token inside the state dir. */
export const TOKEN_FILE = 'control-token';

const TOKEN_RE = /^[\x21-\x7e]{8,256}$/;

function isNodeError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e;
}

/**
 * The token to require: the configured one, else the one stored in stateDir, else a new random
 * one (192 bits, base64url) written there with mode 0600 so the next start reuses it.
 */
export async function resolveControlToken(
  stateDir: string,
  configured: string | null,
): Promise<{ token: string; source: TokenSource }> {
  if (configured !== null) return { token: configured, source: 'config' };
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, TOKEN_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (TOKEN_RE.test(stored)) {
      await chmod(file, 0o600); // tighten a file someone loosened by hand
      return { token: stored, source: 'stored' };
    }
  } catch (e) {
    if (!isNodeError(e) || e.code !== 'ENOENT') throw e;
  }
  const token = randomBytes(24).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // writeFile keeps an existing file's mode
  return { token, source: 'generated' };
}

/**
 * Constant-time check of an Authorization header value against the token. Control is
 * authorised by this header only: never by a cookie or a query parameter, which a cross-site
 * page could make a browser send (a form POST carries cookies; it cannot set Authorization).
 * Both sides are hashed first, so timingSafeEqual compares equal lengths and the time taken does
 * not depend on where the first wrong character is, nor on the token's length. The scheme name
 * is case-insensitive (RFC 9110 §11.1: "It uses a case-insensitive token to identify the
 * authentication scheme").
 */
export function isAuthorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer +([\x21-\x7e]+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]), digest(token));
}
