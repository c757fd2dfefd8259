// src/relay/relay-manager.ts: RelayManager: every --relay of one server (start, stop, status for /api/status), and their Prometheus metrics.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { AudioFeed, TitleSource } from '../live-audio/audio-feed-types.js';
import type { Logger } from '../logger.js';
import { Relay, type RelayState, type RelayStatus } from './relay.js';
import { parseRelaySpec } from './relay-spec.js';

export interface RelayManagerOptions {
  /** cfg.relay: the --relay values (already validated by parseRelaySpec). */
  specs: string[];
  /** cfg.relayTranscode. */
  transcode: boolean;
  feed: AudioFeed;
  title?: TitleSource;
  clock: Clock;
  logger: Logger;
}

/** All relays of one server; none when --relay is not given. */
export class RelayManager {
  private readonly relays: Relay[];

  constructor(opts: RelayManagerOptions) {
    const log = opts.logger.child('relay');
    this.relays = opts.specs.map(
      (s) =>
        new Relay({
          spec: parseRelaySpec(s),
          feed: opts.feed,
          title: opts.title,
          clock: opts.clock,
          logger: log,
          transcode: opts.transcode,
        }),
    );
  }

  start(): void {
    for (const r of this.relays) r.start();
  }

  stop(): void {
    for (const r of this.relays) r.stop();
  }

  /** One entry per --relay, in the order given (for /api/status "relays"). */
  status(): RelayStatus[] {
    return this.relays.map((r) => r.status());
  }
}

const PREFIX = 'scanner_hls_';
const STATES: RelayState[] = [
  'waiting',
  'connecting',
  'streaming',
  'backoff',
  'refused',
  'stopped',
];

/**
 * Registers the relays' metrics in registry, each labelled by mount: relay_state (1 for the
 * current state), relay_connects_total, relay_bytes_sent_total, relay_audio_seconds_total,
 * relay_silence_seconds_total, relay_dropped_seconds_total.
 */
export function registerRelayMetrics(registry: Registry, relays: () => RelayStatus[]): void {
  new Gauge({
    name: PREFIX + 'relay_state',
    help: 'Each --relay: 1 for its current state (waiting, connecting, streaming, backoff, refused, stopped).',
    labelNames: ['mount', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of relays()) {
        for (const state of STATES) this.set({ mount: s.mount, state }, s.state === state ? 1 : 0);
      }
    },
  });
  const counter = (name: string, help: string, read: (s: RelayStatus) => number): void => {
    new Counter({
      name: PREFIX + name,
      help,
      labelNames: ['mount'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of relays()) this.inc({ mount: s.mount }, read(s));
      },
    });
  };
  counter(
    'relay_connects_total',
    'Each --relay: source connections Icecast accepted.',
    (s) => s.connects,
  );
  counter('relay_bytes_sent_total', 'Each --relay: MP3 bytes sent to Icecast.', (s) => s.bytesSent);
  counter(
    'relay_audio_seconds_total',
    "Each --relay: seconds of the feed's audio sent.",
    (s) => s.audioSec,
  );
  counter(
    'relay_silence_seconds_total',
    'Each --relay: seconds of silence sent in input gaps.',
    (s) => s.silenceSec,
  );
  counter(
    'relay_dropped_seconds_total',
    'Each --relay: seconds of audio dropped because the socket fell behind.',
    (s) => s.droppedSec,
  );
}
