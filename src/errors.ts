// src/errors.ts: typed errors with a stable code, so callers branch on code and HTTP maps them in one place.

/** Base class for every error this program raises on purpose. */
export class AppError extends Error {
  constructor(
    /** Stable machine-readable code, e.g. 'config.invalid'. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration value was refused; the message names the setting and its accepted range. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('config.invalid', message);
  }
}

/** The ingest (or --http) could not start: a port in use, a missing file or device. Names the setting. */
export class IngestError extends AppError {
  constructor(code: 'ingest.start' | 'http.listen' | 'input.read', message: string) {
    super(code, message);
  }
}

/** A directory we must write (--out, --state-dir) is unusable. Names the setting. */
export class StorageError extends AppError {
  constructor(code: 'storage.out' | 'storage.state', message: string) {
    super(code, message);
  }
}

/** Plain words for the errno codes a user's setting can cause, e.g. "address already in use (EADDRINUSE)". */
const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on the device',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found',
  ECONNREFUSED: 'connection refused',
};

/** The cause of a failed system call in one line, without the path or syscall Node adds. */
export function systemCause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && ERRNO_WORDS[code]) return `${ERRNO_WORDS[code]} (${code})`;
  return errorMessage(e);
}

/** A request to the HTTP API was malformed or out of range (maps to 400). */
export class BadRequestError extends AppError {
  constructor(message: string) {
    super('request.invalid', message);
  }
}

/** True for errors raised through AppError. */
export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** The message of any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
