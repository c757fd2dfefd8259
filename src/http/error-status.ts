// src/http/error-status.ts: the one map from an error's code (errors.ts, scanner-errors.ts) to its HTTP status.
import { isAppError } from '../errors.js';

/** HTTP status per AppError code; a code not listed here is a bug and becomes 500. */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  'request.invalid': 400,
  'auth.required': 401,
  'not.found': 404,
  'scanner.rejected': 409,
  'rate.limited': 429,
  'scanner.unsupported': 502,
  unavailable: 503,
  'scanner.unavailable': 503,
  'scanner.timeout': 504,
};

/** The status for an error code, or null when the code has none. */
export function statusOfCode(code: string): number | null {
  return Object.hasOwn(STATUS_BY_CODE, code) ? (STATUS_BY_CODE[code] ?? null) : null;
}

/**
 * The HTTP status for an error thrown by a handler: by its code (AppError), else its own 4xx/5xx
 * `status` (body-parser's errors from express.json()), else 500.
 */
export function httpStatusOf(err: unknown): number {
  const byCode = isAppError(err) ? statusOfCode(err.code) : null;
  if (byCode !== null) return byCode;
  if (typeof err === 'object' && err !== null && 'status' in err) {
    const s = err.status;
    if (typeof s === 'number' && s >= 400 && s < 600) return s;
  }
  return 500;
}
