// src/ingest/tcp-connect-ingest.ts: TcpConnectIngest: pulls MPEG-TS from an encoder that serves it (GStreamer tcpserversink), reconnecting with backoff.
import { connect, type Socket } from 'node:net';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { Backoff } from '../backoff.js';
import type { IngestSource, IngestStarted } from './ingest-source.js';
import { SessionGuard } from './session-guard.js';
import type { IngestSink } from './ingest-source.js';

/** Options of TcpConnectIngest. */
export interface TcpConnectIngestOptions {
  host: string;
  port: number;
  /** A connection that carries nothing for this long is dropped and reopened. */
  idleTimeoutMs: number;
  sink: IngestSink;
  logger: Logger;
  clock: Clock;
  backoff?: Backoff;
}

/** One connection at a time; each connection with data is one packager session. */
export class TcpConnectIngest implements IngestSource {
  private socket: Socket | null = null;
  private retry: (() => void) | null = null;
  private closed = false;
  private readonly session: SessionGuard;
  private readonly backoff: Backoff;
  private failuresLogged = 0;

  constructor(private readonly opts: TcpConnectIngestOptions) {
    this.session = new SessionGuard(opts.sink, opts.logger);
    this.backoff = opts.backoff ?? new Backoff();
  }

  private get address(): string {
    const h = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `${h}:${this.opts.port}`;
  }

  start(): Promise<IngestStarted> {
    this.open();
    return Promise.resolve({ description: `tcp-connect://${this.address} (pulling)`, port: 0 });
  }

  private open(): void {
    this.retry = null;
    if (this.closed) return;
    const { logger, clock, idleTimeoutMs } = this.opts;
    const startedMs = clock.now();
    const s = connect({ host: this.opts.host, port: this.opts.port });
    this.socket = s;
    s.setTimeout(idleTimeoutMs);
    s.on('connect', () => {
      this.failuresLogged = 0;
      logger.info(`connected to encoder at ${this.address}`);
    });
    s.on('data', (chunk: Buffer) => {
      const wait = this.session.push(`tcp-connect://${this.address}`, chunk);
      if (wait) {
        s.pause();
        void wait.then(() => s.resume());
      }
    });
    s.on('timeout', () => {
      logger.warn(`encoder at ${this.address} sent nothing for ${idleTimeoutMs} ms; reconnecting`);
      s.destroy();
    });
    s.on('error', (e) => {
      // A refused connection repeats every backoff step: log the first few, then stay quiet.
      if (this.failuresLogged++ < 3) logger.warn(`encoder at ${this.address}: ${errorMessage(e)}`);
    });
    s.on('close', () => {
      if (this.socket === s) this.socket = null;
      void this.session.end();
      if (this.closed) return;
      const delay = this.backoff.next(clock.now() - startedMs);
      this.retry = clock.setTimer(() => this.open(), delay);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retry?.();
    this.retry = null;
    const s = this.socket;
    if (s && !s.destroyed) {
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.destroy();
      });
    }
    await this.session.end();
  }
}
