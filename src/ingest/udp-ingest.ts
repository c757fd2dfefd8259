// src/ingest/udp-ingest.ts: UdpIngest: MPEG-TS datagrams (7 × 188 bytes, as ffmpeg and GStreamer send) on unicast or a multicast group.
import { createSocket, type Socket } from 'node:dgram';
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

/** Options of UdpIngest. */
export interface UdpIngestOptions {
  /** Local address to bind (unicast) or the group to join (multicast). */
  host: string;
  port: number;
  multicast: boolean;
  /** Interface address to join the group on (e.g. 127.0.0.1); null lets the kernel choose. */
  localAddress: string | null;
  /** A session ends when no datagram came for this long. */
  idleTimeoutMs: number;
  sink: IngestSink;
  logger: Logger;
  clock: Clock;
  /** --ingest-allow; everyone by default. */
  allow?: AddressFilter;
  /** Shared with /metrics. */
  counters?: IngestCounters;
}

/**
 * UDP has no connection: a session starts with the first datagram and ends after idleTimeoutMs of
 * silence. A multicast group is joined on localAddress; the socket binds the group address itself
 * (Linux then delivers only that group's datagrams to it) with SO_REUSEADDR so other receivers can
 * share the port.
 */
export class UdpIngest implements IngestSource {
  private socket: Socket | null = null;
  private readonly session: SessionGuard;
  private lastMs = 0;
  private idleTimer: (() => void) | null = null;
  private lastSender = '';
  private readonly gate: PublisherGate;
  readonly counters: IngestCounters;

  constructor(private readonly opts: UdpIngestOptions) {
    this.session = new SessionGuard(opts.sink, opts.logger);
    this.counters = opts.counters ?? newIngestCounters();
    this.gate = new PublisherGate(opts.allow ?? ALLOW_ALL, this.counters, opts.logger, opts.clock);
  }

  start(): Promise<IngestStarted> {
    const { host, port, multicast, localAddress, logger } = this.opts;
    const s = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: true });
    this.socket = s;
    s.on('message', (msg, rinfo) => {
      if (
        this.gate.admit(rinfo.address, `${rinfo.address}:${rinfo.port}`, 'udp: dropped datagrams')
      )
        this.onMessage(msg, `${rinfo.address}:${rinfo.port}`);
    });
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, host, () => {
        s.off('error', reject);
        s.on('error', (e) => logger.warn(`udp ingest: ${errorMessage(e)}`));
        try {
          // Large enough for a burst of a few hundred datagrams while the event loop is busy.
          s.setRecvBufferSize(4 * 1024 * 1024);
        } catch {
          // The kernel caps it (net.core.rmem_max); the default still works at scanner bitrates.
        }
        if (multicast) {
          try {
            s.addMembership(host, localAddress ?? undefined);
          } catch (e) {
            s.close();
            return reject(
              new Error(
                `cannot join multicast group ${host} on ${localAddress ?? 'the default interface'}: ${errorMessage(e)}`,
              ),
            );
          }
        }
        const bound = s.address().port;
        const how = multicast ? ` (multicast on ${localAddress ?? 'the default interface'})` : '';
        resolve({ description: `udp://${host}:${bound}${how} (send MPEG-TS here)`, port: bound });
      });
    });
  }

  private onMessage(msg: Buffer, from: string): void {
    if (!this.session.isActive) {
      this.opts.logger.info(`udp: receiving from ${from}`);
      this.lastSender = from;
    }
    this.lastMs = this.opts.clock.now();
    // Datagrams cannot be held back; the socket's receive buffer is all there is.
    void this.session.push(`udp:${from}`, msg);
    this.idleTimer ??= this.opts.clock.setTimer(() => this.checkIdle(), this.opts.idleTimeoutMs);
  }

  private checkIdle(): void {
    this.idleTimer = null;
    const quietMs = this.opts.clock.now() - this.lastMs;
    if (quietMs < this.opts.idleTimeoutMs) {
      this.idleTimer = this.opts.clock.setTimer(
        () => this.checkIdle(),
        this.opts.idleTimeoutMs - quietMs,
      );
      return;
    }
    this.opts.logger.info(`udp: nothing from ${this.lastSender} for ${quietMs} ms; session ended`);
    void this.session.end();
  }

  async close(): Promise<void> {
    this.idleTimer?.();
    this.idleTimer = null;
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    await this.session.end();
  }
}
