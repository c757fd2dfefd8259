// src/metrics/metrics.ts: ServerMetrics, the Prometheus metrics of one server in its own prom-client Registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../clock.js';
import type { IngestCounters } from '../ingest/ingest-source.js';
import type { Packager } from '../packager.js';
import type { CommandTiming } from '../scanner/command-queue.js';
import type { ScannerStatus } from '../scanner/scanner-status.js';
import type { CallUploaderStats } from '../call-upload/call-uploader.js';
import type { HubStats } from '../live-audio/fan-out.js';
import type { NotifierStats } from '../notify/notifier.js';
import { ListenerTracker } from './listeners.js';

/** Listeners are clients that fetched the playlist within this many target durations. */
export const LISTENER_WINDOW_TARGET_DURATIONS = 3;

/** What the metrics read from the running server. */
export interface MetricsSources {
  packager: Pick<Packager, 'getStatus' | 'inputStats' | 'on'>;
  targetDurationSec: number;
  segmentDurationSec: number;
  clock: Clock;
  /** Publishers refused by --ingest-allow and takeovers (shared with the ingest source). */
  ingest?: Readonly<IngestCounters>;
  /** Upload queue length and counters, when --upload-url is set. */
  upload?: () => { queued: number; failures: number; dropped: number; uploaded: number };
}

const PREFIX = 'scanner_hls_';

/** A counter whose value is read from a monotonic source at scrape time. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name: PREFIX + name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function mirroredGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name: PREFIX + name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** The metrics of one server; hooks for the HTTP routes and the scanner service feed it. */
export class ServerMetrics {
  /** Per-server registry (not prom-client's global one), so tests can run several servers. */
  readonly registry = new Registry();
  private readonly listeners: ListenerTracker;
  /** A plain number, read at scrape time: prom-client's inc() costs more than the request it counts. */
  private playlistRequestCount = 0;
  private readonly commandSeconds: Histogram<'command' | 'outcome'>;

  constructor(private readonly src: MetricsSources) {
    const r = this.registry;
    const td = src.targetDurationSec;
    this.listeners = new ListenerTracker(LISTENER_WINDOW_TARGET_DURATIONS * td * 1000);
    collectDefaultMetrics({ register: r, prefix: PREFIX });
    const input = (): ReturnType<Packager['inputStats']> => src.packager.inputStats();
    mirroredCounter(
      r,
      'ingest_bytes_total',
      'Bytes received from the publisher.',
      () => input().bytes,
    );
    mirroredCounter(r, 'ingest_packets_total', 'MPEG-TS packets read.', () => input().packets);
    mirroredCounter(
      r,
      'ingest_cc_errors_total',
      'Continuity-counter errors (lost packets).',
      () => input().ccErrors,
    );
    mirroredCounter(
      r,
      'ingest_resyncs_total',
      'Times the reader lost packet sync and searched for 0x47.',
      () => input().resyncs,
    );
    mirroredCounter(
      r,
      'ingest_skipped_bytes_total',
      'Bytes skipped while out of sync.',
      () => input().skippedBytes,
    );
    const counters = src.ingest;
    if (counters) {
      mirroredCounter(
        r,
        'ingest_refused_total',
        'Publishers refused because their address is not in --ingest-allow.',
        () => counters.refused,
      );
      mirroredCounter(
        r,
        'ingest_takeovers_total',
        'New publishers that replaced a connected one.',
        () => counters.takeovers,
      );
    }
    mirroredGauge(r, 'ingest_connected', '1 while a publisher is connected.', () =>
      src.packager.getStatus().ingest.connected ? 1 : 0,
    );
    mirroredGauge(
      r,
      'last_segment_age_seconds',
      'Seconds since the newest segment was published (-1 before the first).',
      () => {
        const at = src.packager.getStatus().lastSegmentAt;
        return at ? (src.clock.now() - Date.parse(at)) / 1000 : -1;
      },
    );
    const published = new Counter({
      name: PREFIX + 'segments_published_total',
      help: 'Segments written and listed in the live playlist.',
      registers: [r],
    });
    const sd = src.segmentDurationSec;
    const duration = new Histogram({
      name: PREFIX + 'segment_duration_seconds',
      help: 'Measured duration (EXTINF) of published segments.',
      buckets: [0.5, 0.9, 0.98, 1.02, 1.1, 1.5].map((f) => Math.round(f * sd * 1000) / 1000),
      registers: [r],
    });
    const segBytes = new Counter({
      name: PREFIX + 'segment_bytes_total',
      help: 'Bytes of published segments.',
      registers: [r],
    });
    const latency = new Histogram({
      name: PREFIX + 'publish_latency_seconds',
      help: 'From the arrival of the chunk that completed a segment to the playlist listing it.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    src.packager.on('segment-written', (s) => {
      duration.observe(s.durationSec);
      segBytes.inc(s.bytes);
    });
    src.packager.on('playlist-written', (p) => {
      published.inc();
      latency.observe(p.publishLatencyMs / 1000);
    });
    mirroredCounter(
      r,
      'playlist_requests_total',
      'Requests of the live playlist answered by scanner-hls (not those served by nginx).',
      () => this.playlistRequestCount,
    );
    mirroredGauge(
      r,
      'listeners',
      `Estimated listeners: distinct clients (address and user agent) that fetched the playlist in the last ${LISTENER_WINDOW_TARGET_DURATIONS} target durations.`,
      () => this.listeners.count(src.clock.now()),
    );
    this.commandSeconds = new Histogram({
      name: PREFIX + 'scanner_command_duration_seconds',
      help: 'Scanner command round trip, from sending to the reply (retries included), by command and outcome.',
      labelNames: ['command', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    });
    const upload = src.upload;
    if (upload) {
      mirroredGauge(
        r,
        'upload_queue_length',
        'Uploads and deletions waiting for the origin.',
        () => upload().queued,
      );
      mirroredCounter(
        r,
        'upload_requests_total',
        'PUT and DELETE requests the origin accepted.',
        () => upload().uploaded,
      );
      mirroredCounter(
        r,
        'upload_failures_total',
        'Failed PUT or DELETE attempts (each retry counts).',
        () => upload().failures,
      );
      mirroredCounter(
        r,
        'upload_dropped_total',
        'Queued uploads dropped because the queue was full.',
        () => upload().dropped,
      );
    }
  }

  /** Adds the scanner's gauges once the service is up. */
  setScanner(read: () => ScannerStatus): void {
    const r = this.registry;
    mirroredGauge(r, 'scanner_connected', '1 while the scanner answers commands.', () =>
      read().connected ? 1 : 0,
    );
    mirroredGauge(r, 'scanner_squelch_open', '1 while the squelch is open (a transmission).', () =>
      read().squelchOpen ? 1 : 0,
    );
  }

  /** Adds the /live.mp3 gauges and counters (--live-audio). */
  setLiveAudio(read: () => HubStats): void {
    const r = this.registry;
    mirroredGauge(
      r,
      'live_audio_listeners',
      'Listeners connected to /live.mp3 or /live.aac.',
      () => read().listeners,
    );
    mirroredCounter(
      r,
      'live_audio_listeners_total',
      'Live audio listeners served since start.',
      () => read().served,
    );
    mirroredCounter(
      r,
      'live_audio_dropped_total',
      'Live audio listeners dropped for not keeping up (over 2 s of audio unsent).',
      () => read().droppedSlow,
    );
    mirroredCounter(
      r,
      'live_audio_refused_total',
      'Live audio requests refused with 503 at --live-audio-max-listeners.',
      () => read().refused,
    );
    mirroredCounter(
      r,
      'live_audio_bytes_total',
      'Bytes sent to live audio listeners, ICY metadata included.',
      () => read().bytesSent,
    );
  }

  /** Adds the --call-upload queue and counters, summed over the targets. */
  setCallUploads(read: () => CallUploaderStats[]): void {
    const r = this.registry;
    const sum = (f: (s: CallUploaderStats) => number) => () => read().reduce((t, s) => t + f(s), 0);
    mirroredGauge(
      r,
      'call_upload_queue_length',
      'Finished calls queued on disk for --call-upload receivers.',
      sum((s) => s.queued),
    );
    mirroredCounter(
      r,
      'call_upload_uploaded_total',
      'Calls a --call-upload receiver accepted.',
      sum((s) => s.uploaded),
    );
    mirroredCounter(
      r,
      'call_upload_failures_total',
      'Failed call-upload attempts (each retry counts).',
      sum((s) => s.failures),
    );
    mirroredCounter(
      r,
      'call_upload_rejected_total',
      'Calls dropped because the receiver refused their data.',
      sum((s) => s.rejected),
    );
    mirroredCounter(
      r,
      'call_upload_dropped_total',
      'Queued calls dropped because the queue was full.',
      sum((s) => s.dropped),
    );
  }

  /** Adds the --notify counters, summed over the endpoints. */
  setNotifiers(read: () => NotifierStats[]): void {
    const r = this.registry;
    const sum = (f: (s: NotifierStats) => number) => () => read().reduce((t, s) => t + f(s), 0);
    mirroredCounter(
      r,
      'notify_sent_total',
      'Alerts --notify endpoints accepted.',
      sum((s) => s.sent),
    );
    mirroredCounter(
      r,
      'notify_failed_total',
      'Alerts given up after every try failed.',
      sum((s) => s.failed),
    );
    mirroredCounter(
      r,
      'notify_dropped_total',
      'Alerts dropped because the queue was full.',
      sum((s) => s.dropped),
    );
  }

  /** Hook for hls-routes' onPlaylistRequest. */
  playlistRequested(client: string): void {
    this.playlistRequestCount++;
    this.listeners.seen(client, this.src.clock.now());
  }

  /** Hook for the scanner service's onCommand. */
  scannerCommand(t: CommandTiming): void {
    this.commandSeconds.observe({ command: t.command, outcome: t.outcome }, t.ms / 1000);
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of render(). */
  get contentType(): string {
    return this.registry.contentType;
  }
}
