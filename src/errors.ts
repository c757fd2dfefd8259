// src/errors.ts: typed errors with a stable code, so callers branch on code and HTTP maps them in one place.

/** Base class for every error this program raises on purpose. */
export class AppError extends Error {
  constructor(
    /** Stable machine-readable code, e.g. 'config.invalid'. */
    readonly code: string,
    message: string,
    /** True when the process cannot go on. */
    readonly fatal = false,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration value was refused; the message names the setting and its accepted range. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('config.invalid', message, true);
  }
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
