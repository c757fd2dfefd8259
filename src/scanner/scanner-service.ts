// src/scanner/scanner-service.ts: startScannerService, which wires transport, controller, token and router for main.ts.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type express from 'express';
import type { Clock } from '../clock.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { createScannerRouter } from '../http/scanner-routes.js';
import { resolveControlToken, type TokenSource } from './control-token.js';
import { resolveProfile } from './profile.js';
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
}

/** What main.ts gets back. */
export interface ScannerService {
  /** Mounted by app.ts at /api/scanner. */
  router: express.Router;
  token: string;
  tokenSource: TokenSource;
  /** Same JSON as GET /api/scanner. */
  status(): ScannerStatus;
  /** Calls fn on every status change; returns the unsubscribe function. */
  onStatus(fn: (s: ScannerStatus) => void): () => void;
  /** Recent transmissions, newest first (GET /api/scanner/transmissions). */
  transmissions(): Transmission[];
  /** The in-process simulator with spec 'sim', else null. */
  simulator: SimulatedScanner | null;
  /** Ends event streams, stops polling and closes the serial port or simulator. */
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
  });
  const { router, closeStreams } = createScannerRouter({
    controller,
    token,
    profile,
    limiter: new RateLimiter(opts.clock, opts.rateLimit),
    clock: opts.clock,
    logger,
  });
  logger.info('scanner service starting', { port: transport.description, tokenSource: source });
  controller.start();
  return {
    router,
    token,
    tokenSource: source,
    status: () => controller.status(),
    onStatus: (fn) => controller.onStatus(fn),
    transmissions: () => controller.transmissions(),
    simulator,
    close: async () => {
      closeStreams();
      await controller.close();
    },
  };
}
