// src/scanner/scanner-errors.ts: typed scanner errors with stable codes; http/error-status.ts maps them to HTTP.
import { AppError } from '../errors.js';

/** The scanner gave no acceptable reply within timeout × (1 + retries) (HTTP 504). */
export class ScannerTimeoutError extends AppError {
  constructor(command: string, attempts: number) {
    super('scanner.timeout', `no reply to ${command} after ${attempts} attempt(s)`);
  }
}

/** The scanner is not answering, or the link went down while a command waited (HTTP 503). */
export class ScannerLinkError extends AppError {
  constructor(reason: string) {
    super('scanner.unavailable', reason);
  }
}

/** The scanner answered NG: the command exists but is not valid now (§2.1) (HTTP 409). */
export class ScannerRejectedError extends AppError {
  constructor(command: string) {
    super('scanner.rejected', `the scanner refused ${command} (NG: not valid in its current mode)`);
  }
}

/** The scanner answered ERR: this model lacks the command or that form of it (§2.1) (HTTP 502). */
export class ScannerUnsupportedError extends AppError {
  constructor(command: string) {
    super('scanner.unsupported', `the scanner does not support ${command} (ERR)`);
  }
}
