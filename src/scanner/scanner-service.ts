// src/scanner/scanner-service.ts: startScannerService, which wires transport, controller, labels, token and rate limit; src/http/scanner-routes.ts serves it.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CommandTiming } from './command-queue.js';
import { resolveControlToken, type TokenSource } from './control-token.js';
import { type Labels, NO_LABELS, withLabel } from './labels.js';
import { resolveProfile, type ScannerProfile } from './profile.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { ScannerController } from './scanner-controller.js';
import type { ScannerStatus } from './scanner-status.js';
import { SerialTransport, parseSerialSpec } from './serial-transport.js';
import { SimulatedScanner, type SimulatorOptions } from './simulated-scanner.js';
import { SimulatedTransport } from './sim-transport.js';
import type { Transmission } from './transmission-log.js';
import type { ScannerTransport } from './transport.js';

/** File in the state dir that overrides unconfirmed protocol facts (see profile.ts). */
export const PROFILE_FILE = 'scanner-profile.json';

/** Options of startScannerService. The first six are the contract with main.ts. */
export interface ScannerServiceOptions {
  /** 'sim' or 'PATH[:BAUD]' (config.scanner, already syntax-checked in src/config.ts). */
  spec: string;
  /** config.scannerPollMs (default 250). */
  pollMs: number;
  /** config.stateDir; created if missing. */
  stateDir: string;
  /** config.controlToken; null = stored or generated. */
  controlToken: string | null;
  logger: Logger;
  clock: Clock;
  /** Profile overrides, applied over <stateDir>/scanner-profile.json (tests). */
  profile?: Record<string, unknown>;
  /** Simulator options for spec 'sim' (tests); remote mode starts on. */
  simulator?: Omit<SimulatorOptions, 'clock'>;
  /** Control-call rate limit (default burst 10, 2 per second). */
  rateLimit?: RateLimitOptions;
  /** Names for talkgroups, channels and frequencies (--labels); replaceable with setLabels. */
  labels?: Labels;
  /** Called when each scanner command finishes (metrics). */
  onCommand?: (timing: CommandTiming) => void;
}

/** A status or transmission with the name from the labels file (null when unlabelled). */
export type Labelled<T> = T & { label: string | null };

/** What main.ts gets back; scannerRoutes (src/http/scanner-routes.ts) serves it at /api/scanner. */
export interface ScannerService {
  /** The bearer token control calls must carry. */
  token: string;
  tokenSource: TokenSource;
  /** The resolved protocol profile (control bodies are checked against it). */
  profile: ScannerProfile;
  /** The control-call rate limit (options.rateLimit), shared by every router built on this service. */
  limiter: RateLimiter;
  /** Same JSON as GET /api/scanner. */
  status(): Labelled<ScannerStatus>;
  /** Calls fn on every status change; returns the unsubscribe function. */
  onStatus(fn: (s: Labelled<ScannerStatus>) => void): () => void;
  /** Recent transmissions, newest first (GET /api/scanner/transmissions). */
  transmissions(): Labelled<Transmission>[];
  /** Calls fn with the log whenever it changes (or is relabelled); returns the unsubscribe function. */
  onTransmissions(fn: (t: Labelled<Transmission>[]) => void): () => void;
  /** Runs a control action on the scanner. */
  perform: ScannerController['perform'];
  /** Reads one channel's memory record. */
  readChannel: ScannerController['readChannel'];
  /** Calls fn first thing in close() (HTTP ends its event streams); returns the unsubscribe function. */
  onClose(fn: () => void): () => void;
  /** Replaces the labels; open event streams get the relabelled status and log at once. */
  setLabels(labels: Labels): void;
  /** Changes the squelch poll interval (config reload). */
  setPollMs(ms: number): void;
  /** The in-process simulator with spec 'sim', else null. */
  simulator: SimulatedScanner | null;
  /** Runs the onClose hooks (ending event streams), stops polling and closes the serial port or simulator. */
  close(): Promise<void>;
}

async function readProfileFile(stateDir: string): Promise<Record<string, unknown>> {
  const file = join(stateDir, PROFILE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${file}: ${errorMessage(e)}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('must hold a JSON object');
    }
    return parsed as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`${file}: ${errorMessage(e)}`);
  }
}

/**
 * Starts the scanner features. A missing or failing serial port does not fail start-up: the
 * status says disconnected with the reason, and the transport keeps reopening.
 * Throws ConfigError for a malformed scanner-profile.json.
 */
export async function startScannerService(opts: ScannerServiceOptions): Promise<ScannerService> {
  const logger = opts.logger.child('scanner');
  await mkdir(opts.stateDir, { recursive: true });
  const fileOverrides = await readProfileFile(opts.stateDir);
  let profile;
  try {
    profile = resolveProfile({ ...fileOverrides, ...opts.profile });
  } catch (e) {
    throw new ConfigError(
      `scanner profile (${join(opts.stateDir, PROFILE_FILE)}): ${errorMessage(e)}`,
    );
  }
  const { token, source } = await resolveControlToken(opts.stateDir, opts.controlToken);

  let simulator: SimulatedScanner | null = null;
  let transport: ScannerTransport;
  if (opts.spec === 'sim') {
    simulator = new SimulatedScanner({ remoteMode: true, ...opts.simulator, clock: opts.clock });
    transport = new SimulatedTransport(simulator, opts.clock);
  } else {
    const { path, baudRate } = parseSerialSpec(opts.spec);
    transport = new SerialTransport({
      path,
      baudRate,
      clock: opts.clock,
      reopenMs: profile.reopenMs,
    });
  }
  const controller = new ScannerController({
    transport,
    profile,
    pollMs: opts.pollMs,
    clock: opts.clock,
    logger,
    onCommand: opts.onCommand,
  });
  // Labels are applied when read, so a reloaded labels file renames past log entries too.
  let labels = opts.labels ?? NO_LABELS;
  const relabel = new Set<() => void>();
  const status = (): Labelled<ScannerStatus> => withLabel(labels, controller.status());
  const transmissions = (): Labelled<Transmission>[] =>
    controller.transmissions().map((t) => withLabel(labels, t));
  /** Subscribes fn to a controller event, delivering the labelled reading (also on relabel). */
  const subscribe = <T>(
    on: (changed: () => void) => () => void,
    fn: (x: T) => void,
    read: () => T,
  ): (() => void) => {
    const again = (): void => fn(read());
    relabel.add(again);
    const off = on(again);
    return () => {
      relabel.delete(again);
      off();
    };
  };
  const closeHooks = new Set<() => void>();
  logger.info('scanner service starting', { port: transport.description, tokenSource: source });
  controller.start();
  return {
    token,
    tokenSource: source,
    profile,
    limiter: new RateLimiter(opts.clock, opts.rateLimit),
    status,
    onStatus: (fn) => subscribe((changed) => controller.onStatus(changed), fn, status),
    transmissions,
    onTransmissions: (fn) =>
      subscribe((changed) => controller.onTransmissions(changed), fn, transmissions),
    perform: controller.perform.bind(controller),
    readChannel: controller.readChannel.bind(controller),
    setLabels: (next) => {
      labels = next;
      for (const fn of [...relabel]) fn();
    },
    setPollMs: (ms) => controller.setPollMs(ms),
    simulator,
    onClose: (fn) => {
      closeHooks.add(fn);
      return () => void closeHooks.delete(fn);
    },
    close: async () => {
      for (const fn of [...closeHooks]) fn();
      await controller.close();
    },
  };
}
