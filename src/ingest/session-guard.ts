// src/ingest/session-guard.ts: SessionGuard: opens a sink session at the first bytes and ends it once, logging failures.
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { BACKLOG_HIGH, type IngestSink } from './ingest-source.js';

/** Wraps an IngestSink so sources cannot end a session twice or push outside one. */
export class SessionGuard {
  private active = false;
  private ending: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: IngestSink,
    private readonly logger: Logger,
  ) {}

  /** True between the first push of a session and its end. */
  get isActive(): boolean {
    return this.active;
  }

  /** Starts a session named remote now, if none is open (a source that knows its publisher up front). */
  open(remote: string): void {
    if (this.active) return;
    this.active = true;
    this.sink.startSession(remote);
  }

  /**
   * Pushes bytes, starting a session named remote first if none is open. Returns null, or a promise
   * the caller should wait for before reading on, when the sink's write queue is long (backpressure).
   */
  push(remote: string, chunk: Uint8Array): Promise<void> | null {
    this.open(remote);
    this.sink.push(chunk);
    return this.sink.backlog >= BACKLOG_HIGH ? this.sink.idle() : null;
  }

  /** Ends the open session, if any; the returned promise resolves when its segment is published. */
  end(): Promise<void> {
    if (this.active) {
      this.active = false;
      this.ending = this.sink
        .endSession()
        .catch((e: unknown) => this.logger.error(`ending session: ${errorMessage(e)}`));
    }
    return this.ending;
  }
}
