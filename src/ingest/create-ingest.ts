// src/ingest/create-ingest.ts: createIngest: the --ingest / --capture settings → the one IngestSource server.ts starts.
import type { Clock } from '../clock.js';
import { type AppConfig, effectiveTargetDuration } from '../config.js';
import type { Logger } from '../logger.js';
import { buildCaptureCommand, captureDeviceNode } from './capture-command.js';
import { ExecIngest } from './exec-ingest.js';
import { FileIngest } from './file-ingest.js';
import { ALLOW_ALL, parseAllowList } from './address-filter.js';
import {
  type IngestCounters,
  type IngestSink,
  type IngestSource,
  newIngestCounters,
} from './ingest-source.js';
import { parseIngestSpec } from './ingest-spec.js';
import { TcpConnectIngest } from './tcp-connect-ingest.js';
import { TcpIngest } from './tcp-ingest.js';
import { UdpIngest } from './udp-ingest.js';

/** The settings createIngest reads. */
export type IngestConfig = Pick<
  AppConfig,
  | 'ingest'
  | 'capture'
  | 'codec'
  | 'bitrateKbps'
  | 'sampleRate'
  | 'channels'
  | 'encoder'
  | 'segmentDurationSec'
  | 'targetDurationSec'
  | 'ingestAllow'
>;

/** Builds the source: --capture (an exec source with a built command) wins over --ingest. */
export function createIngest(
  cfg: IngestConfig,
  sink: IngestSink,
  logger: Logger,
  clock: Clock,
  counters: IngestCounters = newIngestCounters(),
): IngestSource {
  const allow = cfg.ingestAllow ? parseAllowList(cfg.ingestAllow) : ALLOW_ALL;
  // A quiet connection is dropped after this long (its segment is published); gaps shorter than
  // this are filled by the packager (EXT-X-GAP) while the connection stays.
  const idleTimeoutMs = Math.max(10_000, 5 * effectiveTargetDuration(cfg) * 1000);
  if (cfg.capture) {
    const cmd = buildCaptureCommand({
      capture: cfg.capture,
      codec: cfg.codec,
      bitrateKbps: cfg.bitrateKbps,
      sampleRate: cfg.sampleRate,
      channels: cfg.channels,
      encoder: cfg.encoder,
    });
    const node = captureDeviceNode(cfg.capture);
    return new ExecIngest({
      argv: cmd.argv,
      label: `capture ${cfg.capture}`,
      sink,
      logger,
      clock,
      device: node ? { path: node, setting: `--capture ${cfg.capture}` } : null,
      display: cmd.display,
    });
  }
  const spec = parseIngestSpec(cfg.ingest);
  switch (spec.kind) {
    case 'tcp-listen':
      return new TcpIngest({
        host: spec.host,
        port: spec.port,
        idleTimeoutMs,
        sink,
        logger,
        clock,
        allow,
        counters,
      });
    case 'tcp-connect':
      return new TcpConnectIngest({
        host: spec.host,
        port: spec.port,
        idleTimeoutMs,
        sink,
        logger,
        clock,
      });
    case 'udp':
      return new UdpIngest({
        host: spec.host,
        port: spec.port,
        multicast: spec.multicast,
        localAddress: spec.localAddress,
        // Datagrams have no close: a shorter quiet time ends the session.
        idleTimeoutMs: Math.max(3000, 2 * effectiveTargetDuration(cfg) * 1000),
        sink,
        logger,
        clock,
        allow,
        counters,
      });
    case 'file':
      return new FileIngest({ path: spec.path, loop: spec.loop, sink, logger, clock });
    case 'exec':
      return new ExecIngest({
        argv: ['/bin/sh', '-c', spec.command],
        label: `exec:${spec.command}`,
        sink,
        logger,
        clock,
      });
  }
}
