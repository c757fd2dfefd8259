// src/ingest/tcp-ingest.ts: TcpIngest: a TCP listener that takes MPEG-TS from one publisher at a time.
import { createServer, type Server, type Socket } from 'node:net';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IngestSource, IngestStarted } from './ingest-source.js';
import { SessionGuard } from './session-guard.js';

/** Where the ingest hands its bytes (the Packager). */
export interface IngestSink {
  startSession(remote: string): void;
  push(chunk: Uint8Array): void;
  endSession(): Promise<void>;
}

export interface TcpIngestOptions {
  host: string;
  port: number;
  /** A publisher that sends nothing for this long is dropped (its segment is published). */
  idleTimeoutMs: number;
  sink: IngestSink;
  logger: Logger;
}

function describe(s: Socket): string {
  return `${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}`;
}

/** Accepts one encoder; a second connection is refused with a log line while the first streams on. */
export class TcpIngest implements IngestSource {
  private server: Server | null = null;
  private active: Socket | null = null;
  private readonly session: SessionGuard;

  constructor(private readonly opts: TcpIngestOptions) {
    this.session = new SessionGuard(opts.sink, opts.logger);
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    const server = createServer((s) => this.onConnection(s));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        server.on('error', (e) =>
          this.opts.logger.error(`ingest server error: ${errorMessage(e)}`),
        );
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : this.opts.port);
      });
    });
  }

  /** IngestSource: listens; the banner shows the bound address. */
  async start(): Promise<IngestStarted> {
    const port = await this.listen();
    const h = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return { description: `tcp://${h}:${port} (send MPEG-TS here)`, port };
  }

  /** True while a publisher is connected. */
  get connected(): boolean {
    return this.active !== null;
  }

  private onConnection(socket: Socket): void {
    const { logger } = this.opts;
    const who = describe(socket);
    if (this.active) {
      logger.warn(`refused a second publisher from ${who}; ${describe(this.active)} is streaming`);
      socket.destroy();
      return;
    }
    this.active = socket;
    logger.info(`publisher connected from ${who}`);
    this.session.open(who);
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.session.push(who, chunk));
    socket.on('timeout', () => {
      logger.warn(`publisher ${who} sent nothing for ${this.opts.idleTimeoutMs} ms; dropping it`);
      socket.destroy();
    });
    socket.on('error', (e) => logger.warn(`publisher ${who}: ${errorMessage(e)}`));
    socket.on('close', () => {
      if (this.active !== socket) return;
      this.active = null;
      logger.info(`publisher ${who} disconnected`);
      void this.session.end();
    });
  }

  /** Stops listening, disconnects the publisher and waits for its last segment to be published. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    if (this.active) {
      const s = this.active;
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.destroy();
      });
    }
    await this.session.end();
    await closed;
  }
}
