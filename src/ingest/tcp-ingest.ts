// src/ingest/tcp-ingest.ts: TcpIngest: a TCP listener for MPEG-TS publishers; the newest allowed connection takes over.
import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { ALLOW_ALL, type AddressFilter, PublisherGate } from './address-filter.js';
import {
  type IngestCounters,
  type IngestSink,
  type IngestSource,
  type IngestStarted,
  newIngestCounters,
} from './ingest-source.js';
import { SessionGuard } from './session-guard.js';

export interface TcpIngestOptions {
  host: string;
  port: number;
  /** A publisher that sends nothing for this long is dropped (its segment is published). */
  idleTimeoutMs: number;
  sink: IngestSink;
  logger: Logger;
  clock: Clock;
  /** --ingest-allow; everyone by default. */
  allow?: AddressFilter;
  /** Shared with /metrics. */
  counters?: IngestCounters;
}

function describe(s: Socket): string {
  return `${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}`;
}

/** How long an old publisher may go on sending once a new one connected, and how long it may be quiet. */
const HANDOVER_MAX_MS = 1000;
const HANDOVER_QUIET_MS = 200;
/** New connections that may wait for a handover at once. */
const MAX_WAITING = 4;

/**
 * One publisher at a time, and a new connection replaces the current one (as MediaMTX does): an
 * encoder that reconnects, or whose old connection died without a FIN (Wi-Fi), must not be locked
 * out until a timeout. The new socket is paused while the old one hands over: what the old one
 * already sent is read to its end (FIN), or until it has been quiet for HANDOVER_QUIET_MS (a dead
 * link), or for at most HANDOVER_MAX_MS (two encoders fighting). Then the old one's open segment is
 * published and its socket closed, and the new one is read from its first byte, after an
 * EXT-X-DISCONTINUITY. So nothing either publisher sent before the handover is lost.
 */
export class TcpIngest implements IngestSource {
  private server: Server | null = null;
  private active: Socket | null = null;
  /** New publishers, paused, in the order they connected, waiting for the active one to hand over. */
  private readonly waiting: Socket[] = [];
  private lastDataMs = 0;
  private cancelHandover: (() => void) | null = null;
  private readonly session: SessionGuard;
  private readonly gate: PublisherGate;
  readonly counters: IngestCounters;

  constructor(private readonly opts: TcpIngestOptions) {
    this.session = new SessionGuard(opts.sink, opts.logger);
    this.counters = opts.counters ?? newIngestCounters();
    this.gate = new PublisherGate(opts.allow ?? ALLOW_ALL, this.counters, opts.logger, opts.clock);
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
    if (!this.gate.admit(socket.remoteAddress ?? '', describe(socket), 'refused a publisher')) {
      socket.destroy();
      return;
    }
    const current = this.active;
    if (!current) return this.adopt(socket);
    socket.pause();
    socket.on('error', (e) =>
      this.opts.logger.warn(`publisher ${describe(socket)}: ${errorMessage(e)}`),
    );
    this.waiting.push(socket);
    // A burst of connections (a misconfigured encoder in a loop) must not queue without end: the
    // oldest waiting ones give way, as the newest connection wins.
    while (this.waiting.length > MAX_WAITING) this.waiting.shift()?.destroy();
    socket.once('close', () => {
      const i = this.waiting.indexOf(socket);
      if (i >= 0) this.waiting.splice(i, 1);
    });
    this.counters.takeovers++;
    this.opts.logger.warn(
      `publisher ${describe(socket)} takes over from ${describe(current)}; publishing the old one's segment and closing it`,
    );
    if (!this.cancelHandover) this.handOver(current);
  }

  /** Lets current finish what it sent (see the class comment), then closes it; its 'close' adopts the next. */
  private handOver(current: Socket): void {
    const startMs = this.opts.clock.now();
    const check = (): void => {
      const now = this.opts.clock.now();
      // Paused by backpressure is not quiet: its bytes are waiting in the kernel.
      const quiet = !current.isPaused() && now - this.lastDataMs >= HANDOVER_QUIET_MS;
      if (quiet || now - startMs >= HANDOVER_MAX_MS) {
        this.cancelHandover = null;
        current.destroy();
        return;
      }
      this.cancelHandover = this.opts.clock.setTimer(check, 50);
    };
    this.cancelHandover = () => undefined;
    check();
  }

  /** Makes socket the publisher: its bytes go to a new session from the first one. */
  private adopt(socket: Socket): void {
    const { logger } = this.opts;
    const who = describe(socket);
    this.active = socket;
    this.lastDataMs = this.opts.clock.now();
    logger.info(`publisher connected from ${who}`);
    this.session.open(who);
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      this.lastDataMs = this.opts.clock.now();
      const wait = this.session.push(who, chunk);
      if (wait) {
        socket.pause();
        void wait.then(() => socket.resume());
      }
    });
    socket.on('timeout', () => {
      logger.warn(`publisher ${who} sent nothing for ${this.opts.idleTimeoutMs} ms; dropping it`);
      socket.destroy();
    });
    if (socket.listenerCount('error') === 0)
      socket.on('error', (e) => logger.warn(`publisher ${who}: ${errorMessage(e)}`));
    socket.on('close', () => {
      if (this.active !== socket) return;
      this.active = null;
      logger.info(`publisher ${who} disconnected`);
      void this.session.end();
      this.cancelHandover?.();
      this.cancelHandover = null;
      const next = this.waiting.shift();
      if (next && this.server) {
        this.adopt(next);
        next.resume();
        if (this.waiting.length > 0) this.handOver(next);
      }
    });
  }

  /** Stops listening, disconnects the publisher and waits for its last segment to be published. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    this.cancelHandover?.();
    this.cancelHandover = null;
    for (const w of this.waiting.splice(0)) w.destroy();
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
