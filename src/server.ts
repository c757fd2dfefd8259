// src/server.ts: startServer: wires ingest, packager, HTTP (and the scanner) for live mode; returns a handle to stop it.
import { createServer, type RequestListener } from 'node:http';
import type { Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { errorMessage, IngestError, isAppError, StorageError, systemCause } from './errors.js';
import { type AppConfig, effectiveTargetDuration } from './config.js';
import { createApp, type Mount } from './http/app.js';
import { HotReload, loadLabelsFile } from './hot-reload.js';
import { type HlsMount, liveListener, liveMounts } from './http/mounts.js';
import { createSecureAppServer, loadTlsCredentials } from './http/secure-server.js';
import { withBodyLimits } from './http/body-limit.js';
import { applyServerLimits, type ServerLimits } from './http/server-limits.js';
import { createIngest } from './ingest/create-ingest.js';
import { type IngestSource, newIngestCounters } from './ingest/ingest-source.js';
import type { Logger } from './logger.js';
import { ServerMetrics } from './metrics/metrics.js';
import { Packager } from './packager.js';
import { NO_LABELS } from './scanner/labels.js';
import { type ScannerService, startScannerService } from './scanner/scanner-service.js';
import { CallService } from './calls/call-service.js';
import { startCallUploads } from './call-upload/attach.js';
import type { CallUploader } from './call-upload/call-uploader.js';
import { startNotifiers } from './notify/attach.js';
import type { Notifier } from './notify/notifier.js';
import { DiskStore } from './storage/disk-store.js';
import { attachScannerFeed } from './timeline/scanner-feed.js';
import type { AudioFeed, TitleSource } from './live-audio/audio-feed-types.js';
import { createAudioFeed } from './live-audio/audio-feed.js';
import { LiveAudioHub } from './live-audio/fan-out.js';
import { createStreamTitle } from './live-audio/stream-title.js';
import { RelayManager, registerRelayMetrics } from './relay/relay-manager.js';
import { StateFile } from './storage/state-file.js';
import { Uploader } from './upload/uploader.js';

/** A running server. */
export interface RunningServer {
  httpPort: number;
  /** True when --tls-cert/--tls-key are set: HTTPS, HTTP/2 by ALPN (HTTP/1.1 over TLS too). */
  https: boolean;
  /** Bound port of a listening source (tcp://, udp://), else 0. */
  ingestPort: number;
  /** The --ingest / --capture source. */
  ingest: IngestSource;
  packager: Packager;
  /** The scanner controller service when --scanner is set. */
  scanner: ScannerService | null;
  /** Prometheus metrics (GET /metrics). */
  metrics: ServerMetrics;
  /** Watches --config and --labels; reloadConfig()/reloadLabels() apply an edit now. */
  hotReload: HotReload;
  /** The --upload-url mirror, else null. */
  uploader: Uploader | null;
  /** One per --call-upload (finished calls to rdio-scanner or OpenMHz). */
  callUploaders: CallUploader[];
  /** One per --notify (call start and end alerts). */
  notifiers: Notifier[];
  /** The live elementary audio, frame-exact (/live.mp3, --relay). */
  audio: AudioFeed;
  /** What is on the air as a title (the scanner's label or frequency), for ICY and the relay. */
  title: TitleSource;
  /** The /live.mp3 listeners with --live-audio, else null. */
  liveAudio: LiveAudioHub | null;
  /** The --relay targets (none when not set). */
  relays: RelayManager;
  /** Lines for the start-up banner (URLs). */
  banner: string[];
  /** Graceful stop: ends the publisher's session (its segment is published), saves state, closes sockets. */
  close(): Promise<void>;
}

/** Extra parts main.ts or tests plug in. */
export interface ServerExtras {
  clock?: Clock;
  /** Routers mounted after /hls. */
  mounts?: (packager: Packager) => Promise<Mount[]> | Mount[];
  /** Called during close(), before the packager is closed. */
  onClose?: () => Promise<void>;
  /** The --config file to watch and a loader for the whole config (file, env, flags), for hot reload. */
  reload?: { configFile: string | null; load: () => AppConfig };
  /** Debounce of hot-reload file events (tests shorten it). */
  reloadDebounceMs?: number;
  /** Overrides of the HTTP timeouts and slow-reader bound (src/http/server-limits.ts; tests shorten them). */
  serverLimits?: Partial<ServerLimits>;
}

/** Addresses a LAN listener can reach us at (non-internal IPv4). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a?.address ?? '');
}

/** --out and --state-dir must be directories we can write; says which one is not, and why. */
async function prepareDirectories(cfg: Readonly<AppConfig>, packager: Packager): Promise<void> {
  for (const [flag, dir, code] of [
    ['--out', cfg.out, 'storage.out'],
    ['--state-dir', cfg.stateDir, 'storage.state'],
  ] as const) {
    try {
      await mkdir(resolve(dir), { recursive: true });
      // Root passes any permission check, so write for real: a read-only mount says so here.
      const probe = join(resolve(dir), `.probe-${process.pid}`);
      await writeFile(probe, '');
      await rm(probe);
    } catch (e) {
      throw new StorageError(code, `cannot write ${flag} ${dir}: ${systemCause(e)}`);
    }
  }
  try {
    await packager.init();
  } catch (e) {
    throw new StorageError('storage.out', `cannot use --out ${cfg.out}: ${systemCause(e)}`);
  }
}

/** Opens the call log; a state dir it cannot use stops start-up with one line. */
function openCalls(
  cfg: Readonly<AppConfig>,
  store: DiskStore,
  targetDurationSec: number,
  clock: Clock,
  logger: Logger,
): CallService {
  try {
    return CallService.open({
      stateDir: resolve(cfg.stateDir),
      stream: cfg.stream,
      outDir: resolve(cfg.out),
      store,
      clock,
      logger: logger.child('calls'),
      targetDurationSec,
      retentionSec: cfg.retentionSec,
      retentionMaxBytes: cfg.retentionMaxBytes,
      callsRetentionSec: cfg.callsRetentionSec,
      callsMaxBytes: cfg.callsMaxBytes,
    });
  } catch (e) {
    const errno = /^E[A-Z]+$/.test(String((e as NodeJS.ErrnoException | null)?.code));
    throw new StorageError(
      'storage.state',
      errno
        ? `cannot write --state-dir ${cfg.stateDir}: ${systemCause(e)}`
        : `cannot open the call log in --state-dir ${cfg.stateDir}: ${errorMessage(e)}`,
    );
  }
}

/** The plain HTTP server (no --tls-cert). Its timeouts are set by applyServerLimits. */
function plainServer(app: RequestListener): { server: Server; closeAllConnections(): void } {
  const http = createServer(withBodyLimits(app));
  return { server: http, closeAllConnections: () => http.closeAllConnections() };
}

function listenHttp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((res, rej) => {
    const refused = (e: Error): void =>
      rej(
        new IngestError(
          'http.listen',
          `cannot listen on --http ${host}:${port}: ${systemCause(e)}`,
        ),
      );
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      const a = server.address();
      res(typeof a === 'object' && a ? a.port : port);
    });
  });
}

/** Starts live mode. */
export async function startServer(
  cfg: Readonly<AppConfig>,
  logger: Logger,
  extras: ServerExtras = {},
): Promise<RunningServer> {
  const clock = extras.clock ?? systemClock;
  // A bad certificate or key stops start-up before anything else starts (ConfigError).
  const tls = cfg.tlsCert && cfg.tlsKey ? loadTlsCredentials(cfg.tlsCert, cfg.tlsKey) : null;
  const targetDurationSec = effectiveTargetDuration(cfg);
  const store = new DiskStore(resolve(cfg.out));
  // The call log and replay archive (<state-dir>/calls.db): it indexes every listed segment.
  const calls = openCalls(cfg, store, targetDurationSec, clock, logger);
  const packager = new Packager({
    stream: cfg.stream,
    segmentDurationSec: cfg.segmentDurationSec,
    targetDurationSec,
    window: cfg.window,
    program: cfg.program,
    partDurationSec: cfg.lowLatency ? cfg.partDurationSec : null,
    store: calls.packagerStore(),
    archive: calls.archive,
    state: new StateFile(resolve(cfg.stateDir), cfg.stream),
    clock,
    logger: logger.child('packager'),
    scannerTimeline: cfg.scanner !== null,
  });
  packager.on('segment-deleted', ({ name }) => calls.segmentDeleted(name));
  calls.setCodec(() => packager.getStatus().codecs.find((c) => c === 'mp3' || c === 'aac') ?? null);
  try {
    await prepareDirectories(cfg, packager);
    await calls.reconcile();
  } catch (e) {
    await calls.close();
    throw e;
  }
  calls.start();
  // A bad labels file stops start-up (ConfigError); later edits are checked by the hot reload.
  const labels = cfg.labels ? loadLabelsFile(cfg.labels) : NO_LABELS;
  const uploader = cfg.uploadUrl
    ? new Uploader({ baseUrl: cfg.uploadUrl, clock, logger: logger.child('upload') })
    : null;
  const detachUploader = uploader?.attach(packager);
  // Retained segments are deleted by the call log's reaper, not the packager: mirror those too.
  const detachReaped = uploader
    ? calls.onReaped((name) => uploader.enqueue({ kind: 'delete', name }))
    : null;
  const ingestCounters = newIngestCounters();
  const metrics = new ServerMetrics({
    packager,
    ingest: ingestCounters,
    targetDurationSec,
    segmentDurationSec: cfg.segmentDurationSec,
    clock,
    upload: uploader ? () => uploader.stats() : undefined,
  });
  // A missing serial port does not fail start-up: the service reports it and keeps retrying.
  const scanner = cfg.scanner
    ? await startScannerService({
        spec: cfg.scanner,
        pollMs: cfg.scannerPollMs,
        stateDir: resolve(cfg.stateDir),
        controlToken: cfg.controlToken,
        logger: logger.child('scanner'),
        clock,
        labels,
        onCommand: (t) => metrics.scannerCommand(t),
      })
    : null;
  if (scanner) metrics.setScanner(() => scanner.status());
  // The scanner's state and transmissions go into the stream (timed ID3, EXT-X-DATERANGE).
  const detachTimeline = scanner ? attachScannerFeed(scanner, packager, clock) : null;
  const detachCalls = scanner ? calls.attachScanner(scanner) : null;
  // Each finished call to --call-upload receivers; call start and end to --notify endpoints.
  const callUploads = await startCallUploads({
    specs: cfg.callUpload,
    calls,
    stateDir: resolve(cfg.stateDir),
    scannerSet: cfg.scanner !== null,
    clock,
    logger: logger.child('call-upload'),
  });
  const notifiers = startNotifiers({
    specs: cfg.notify,
    calls,
    stream: cfg.stream,
    scannerSet: cfg.scanner !== null,
    clock,
    logger: logger.child('notify'),
  });
  // The live audio tap (/live.mp3 with --live-audio, and --relay) and its title.
  const audio = createAudioFeed(packager);
  const title = createStreamTitle(scanner);
  const liveAudio = cfg.liveAudio
    ? new LiveAudioHub({ feed: audio, title, clock, maxListeners: cfg.liveAudioMaxListeners })
    : null;
  if (liveAudio) metrics.setLiveAudio(() => liveAudio.stats());
  if (callUploads.uploaders.length)
    metrics.setCallUploads(() => callUploads.uploaders.map((u) => u.stats()));
  if (notifiers.notifiers.length)
    metrics.setNotifiers(() => notifiers.notifiers.map((n) => n.stats()));
  // --relay: the live MP3 to Icecast servers; started once the ingest is up.
  const relays = new RelayManager({
    specs: cfg.relay,
    transcode: cfg.relayTranscode,
    feed: audio,
    title,
    clock,
    logger,
  });
  if (cfg.relay.length) registerRelayMetrics(metrics.registry, () => relays.status());
  // /api/status shows each configured outbound link beside the stream.
  const statusExtra = (): Record<string, unknown> => ({
    ...(cfg.relay.length && { relays: relays.status() }),
    ...(liveAudio && { liveAudio: liveAudio.stats() }),
    ...(callUploads.uploaders.length && {
      callUploads: callUploads.uploaders.map((u) => u.stats()),
    }),
    ...(notifiers.notifiers.length && { notify: notifiers.notifiers.map((n) => n.stats()) }),
  });
  // Every route, in mount order, is listed in src/http/mounts.ts.
  const mounts = liveMounts({
    cfg,
    packager,
    metrics,
    scanner,
    clock,
    logger,
    calls,
    liveAudio,
    statusExtra,
    extras: extras.mounts ? await extras.mounts(packager) : [],
  });
  const app = createApp({ mounts, logger: logger.child('http') });
  // The /hls front handler takes held LL-HLS requests before Express (mounts.ts liveListener).
  const front = mounts.find((m): m is HlsMount => 'front' in m)?.front;
  const web = tls ? createSecureAppServer(app, tls, front) : plainServer(liveListener(mounts, app));
  const http = web.server;
  // Header, request and keep-alive timeouts and the slow-reader watchdog (before listen).
  applyServerLimits(web.server, extras.serverLimits, { clock });
  const httpPort = await listenHttp(http, cfg.httpHost, cfg.httpPort);
  const ingest = createIngest(cfg, packager, logger.child('ingest'), clock, ingestCounters);
  let started;
  try {
    started = await ingest.start().catch((e: unknown) => {
      if (isAppError(e)) throw e;
      const setting = cfg.capture ? `--capture ${cfg.capture}` : `--ingest ${cfg.ingest}`;
      throw new IngestError('ingest.start', `cannot start ${setting}: ${systemCause(e)}`);
    });
  } catch (e) {
    http.close();
    detachTimeline?.();
    detachCalls?.();
    await scanner?.close();
    await callUploads.close();
    notifiers.close();
    await calls.close();
    detachUploader?.();
    detachReaped?.();
    await uploader?.close(0);
    throw e;
  }
  relays.start();
  const hotReload = new HotReload({
    config: cfg,
    configFile: extras.reload?.configFile ?? null,
    loadConfig: extras.reload?.load ?? null,
    logger: logger.child('reload'),
    debounceMs: extras.reloadDebounceMs,
    targets: {
      logLevel: (level) => logger.setLevel?.(level),
      scannerPollMs: (ms) => scanner?.setPollMs(ms),
      labels: (l) => {
        if (scanner) scanner.setLabels(l);
        else
          logger.warn('labels loaded, but they only name scanner channels: --scanner is not set');
      },
    },
  });
  const shown = cfg.httpHost === '0.0.0.0' || cfg.httpHost === '::' ? '127.0.0.1' : cfg.httpHost;
  const scheme = tls ? 'https' : 'http';
  const base = `${scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${httpPort}`;
  const banner = [
    `scanner-hls is running`,
    `  page:      ${base}/`,
    `  playlist:  ${base}/hls/${cfg.stream}.m3u8`,
    `  ingest:    ${started.description}`,
  ];
  if (scanner) {
    const how = {
      config: 'from --control-token',
      stored: 'kept in the state dir',
      generated: 'new, kept in the state dir',
    }[scanner.tokenSource];
    banner.push(`  scanner:   ${cfg.scanner} (control token ${how})`);
    banner.push(`  control:   ${base}/#token=${encodeURIComponent(scanner.token)}`);
  }
  if (cfg.httpHost === '0.0.0.0' || cfg.httpHost === '::') {
    for (const a of lanAddresses())
      banner.push(
        `  on your LAN: ${scheme}://${a}:${httpPort}/  (playlist ${scheme}://${a}:${httpPort}/hls/${cfg.stream}.m3u8)`,
      );
  }
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await hotReload.close();
      liveAudio?.close();
      relays.stop();
      await ingest.close();
      if (extras.onClose) await extras.onClose();
      detachTimeline?.();
      detachCalls?.();
      await scanner?.close();
      await packager.close();
      await callUploads.close();
      notifiers.close();
      await calls.close();
      // The last segment and playlist get a short chance to reach the origin.
      detachUploader?.();
      detachReaped?.();
      await uploader?.close();
      audio.close();
      title.close();
      web.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    })());
  return {
    httpPort,
    https: tls !== null,
    ingestPort: started.port,
    ingest,
    packager,
    scanner,
    metrics,
    hotReload,
    uploader,
    callUploaders: callUploads.uploaders,
    notifiers: notifiers.notifiers,
    audio,
    title,
    liveAudio,
    relays,
    banner,
    close,
  };
}

/**
 * Serves until SIGINT or SIGTERM, then stops cleanly (the segment in progress is published and
 * the state saved). Resolves with the exit code: 0, or 1 if stopping failed.
 */
export function serveUntilSignal(server: RunningServer, logger: Logger): Promise<number> {
  return new Promise<number>((resolveExit) => {
    const stop = (signal: string): void => {
      logger.info(`${signal}: finishing the current segment and stopping`);
      server.close().then(
        () => resolveExit(0),
        (e: unknown) => {
          logger.error(`error while stopping: ${errorMessage(e)}`);
          resolveExit(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
