// src/scanner/scanner-controller.ts: ScannerController: the link and session of one scanner: probe with SI, set up, poll, and route reports; actions go to ActionRunner.
// It knows nothing of serialport: it drives any ScannerTransport. § = shared/reference/bct8-protocol.md.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { ActionRunner, type ActionResult } from './action-runner.js';
import type { ScannerAction } from './actions.js';
import { CommandQueue, type CommandTiming, type UnsolicitedLine } from './command-queue.js';
import type { ScannerProfile } from './profile.js';
import { formatFirmware, type ChannelRecord, type ScannerLine } from './protocol.js';
import { ScannerLinkError, ScannerTimeoutError } from './scanner-errors.js';
import type { ScannerStatus } from './scanner-status.js';
import { Sleeper } from './sleeper.js';
import { StatusTracker } from './status-tracker.js';
import type { Transmission } from './transmission-log.js';
import type { ScannerTransport } from './transport.js';

export type { ActionResult } from './action-runner.js';

/** Options of ScannerController. */
export interface ScannerControllerOptions {
  transport: ScannerTransport;
  profile: ScannerProfile;
  /** Squelch poll interval in ms (§4.2: S1 polls every 150 ms; default config 250). */
  pollMs: number;
  clock: Clock;
  logger: Logger;
  /** Called when each command finishes (metrics). */
  onCommand?: (timing: CommandTiming) => void;
}

const SILENT_HINT =
  'no reply to SI: the scanner is off, not in remote mode (lost at every power cycle: hold RMT ~2 s, pick the speed, press E), or the cable/baud is wrong';

/** Drives one scanner. Never throws out of its loops; failures become status and log lines. */
export class ScannerController {
  private readonly queue: CommandQueue;
  private readonly tracker: StatusTracker;
  private readonly actions: ActionRunner;
  private readonly sleeper: Sleeper;
  private unsubscribe: (() => void) | null = null;
  private generation = 0;
  private closed = false;
  private silentReported = false;
  private garbageCount = 0;
  private pollMs: number;

  constructor(private readonly opts: ScannerControllerOptions) {
    this.tracker = new StatusTracker(opts.clock, opts.transport.description);
    this.sleeper = new Sleeper(opts.clock);
    this.pollMs = opts.pollMs;
    this.queue = new CommandQueue(opts.transport, opts.clock, opts.profile.commandTimeoutMs, {
      unsolicited: (l) => this.onUnsolicited(l),
      garbage: (t) => this.onGarbage(t),
      completed: (t) => opts.onCommand?.(t),
    });
    this.actions = new ActionRunner(this.queue, opts.profile, this.tracker, opts.logger);
  }

  /** Changes the squelch poll interval from the next poll on (config reload). */
  setPollMs(ms: number): void {
    this.pollMs = ms;
  }

  /** Current status (a copy). */
  status(): ScannerStatus {
    return this.tracker.status();
  }

  /** Recent transmissions, newest first. */
  transmissions(): Transmission[] {
    return this.tracker.transmissions();
  }

  /** Calls fn on every status change; returns the unsubscribe function. */
  onStatus(fn: (s: ScannerStatus) => void): () => void {
    return this.tracker.onStatus(fn);
  }

  /** Calls fn whenever the transmission log changes; returns the unsubscribe function. */
  onTransmissions(fn: (t: Transmission[]) => void): () => void {
    return this.tracker.onTransmissions(fn);
  }

  /** Subscribes to the transport and starts it; probing begins when the link opens. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.opts.transport.subscribe({
      open: () => this.onLinkOpen(),
      close: (reason) => this.onLinkClosed(reason),
      line: (l) => this.queue.receive(l),
    });
    this.opts.transport.start();
    if (this.opts.transport.isOpen) this.onLinkOpen();
  }

  /** Stops polling, sends the §8 shutdown housekeeping when possible, and closes the transport. */
  async close(): Promise<void> {
    if (this.closed) return;
    const wasReady = this.tracker.live.connected;
    this.closed = true;
    this.generation++;
    this.sleeper.wakeAll();
    if (wasReady) {
      for (const name of ['ID', 'QU', 'RI'] as const) {
        await this.queue.send({ kind: 'flag', name, on: false }, 0).catch(() => undefined);
      }
    }
    this.queue.failAll('scanner service closed');
    this.unsubscribe?.();
    await this.opts.transport.close();
  }

  /** Reads a channel's memory record with PM (no mode change, §3.1). */
  async readChannel(channel: number): Promise<ChannelRecord> {
    this.requireReady();
    return await this.actions.readChannel(channel);
  }

  /** Runs a validated action; throws the typed scanner errors on NG, ERR, timeout or no link. */
  async perform(a: ScannerAction): Promise<ActionResult> {
    this.requireReady();
    return await this.actions.perform(a);
  }

  private requireReady(): void {
    const s = this.tracker.live;
    if (!s.connected) throw new ScannerLinkError(`scanner not connected: ${s.reason ?? ''}`);
  }

  // ---- link and session ----

  private onLinkOpen(): void {
    if (this.closed) return;
    const g = ++this.generation;
    this.opts.logger.info('scanner link open; probing with SI', {
      port: this.opts.transport.description,
    });
    this.tracker.patch({
      link: 'probing',
      connected: false,
      reason: 'link open; waiting for the scanner to answer SI',
    });
    void this.session(g);
  }

  private onLinkClosed(reason: string): void {
    if (this.closed) return;
    this.generation++;
    this.queue.failAll(reason);
    this.sleeper.wakeAll();
    this.opts.logger.warn('scanner link down; will keep reopening', { reason });
    this.tracker.endActivity();
    this.tracker.patch({ link: 'closed', connected: false, reason, squelchOpen: false });
  }

  private alive(g: number): boolean {
    return g === this.generation && !this.closed;
  }

  private async session(g: number): Promise<void> {
    if (this.opts.profile.flushOnOpen) {
      // §1: a bare CR flushes a half-received command; its reply is [UNK], so wait and ignore it.
      try {
        this.opts.transport.writeLine('');
      } catch {
        return;
      }
      await this.sleeper.sleep(150);
    }
    while (this.alive(g)) {
      if (await this.probe()) {
        await this.setUp();
        await this.pollLoop(g);
      } else {
        await this.sleeper.sleep(this.opts.profile.probeIntervalMs);
      }
    }
  }

  /** One SI probe (§4.1). True when the scanner identified itself. */
  private async probe(): Promise<boolean> {
    let line: ScannerLine;
    try {
      line = await this.queue.send({ kind: 'identify' }, 0);
    } catch (e) {
      if (e instanceof ScannerTimeoutError) this.reportSilent();
      return false;
    }
    if (line.type !== 'identity') return false;
    this.silentReported = false;
    const firmware = formatFirmware(line.firmware);
    this.opts.logger.info('scanner answered', { model: line.model, firmware });
    this.tracker.patch({
      connected: true,
      link: 'ready',
      reason: null,
      model: line.model,
      firmware,
    });
    return true;
  }

  private reportSilent(): void {
    if (!this.silentReported) this.opts.logger.warn(`scanner silent: ${SILENT_HINT}`);
    this.silentReported = true;
    this.tracker.patch({ connected: false, link: 'probing', reason: SILENT_HINT });
  }

  /** §8 start-up housekeeping: squelch and priority reports off, trunk IDs on if wanted. */
  private async setUp(): Promise<void> {
    const flags: ['QU' | 'RI' | 'ID', boolean][] = [
      ['QU', false],
      ['RI', false],
      ['ID', this.opts.profile.trunkIds],
    ];
    for (const [name, on] of flags) {
      const r = await this.queue
        .send({ kind: 'flag', name, on }, this.opts.profile.retries)
        .catch(() => null);
      if (r && r.type !== 'ok')
        this.opts.logger.info(`scanner answered ${r.type} to ${name}${on ? 'N' : 'F'}`);
    }
  }

  private async pollLoop(g: number): Promise<void> {
    for (let n = 0; this.alive(g); n++) {
      try {
        await this.pollOnce(n);
      } catch (e) {
        if (e instanceof ScannerTimeoutError) this.lostRemote(e.message);
        else if (!(e instanceof ScannerLinkError)) {
          this.opts.logger.error('scanner poll failed', { error: String(e) });
        }
        return;
      }
      await this.sleeper.sleep(this.pollMs);
    }
  }

  /** §4.2/§4.3: SQ every poll, MA when squelch opens, MD every modePollEvery polls. */
  private async pollOnce(n: number): Promise<void> {
    const sq = await this.queue.send({ kind: 'squelch' }, this.opts.profile.retries);
    if (sq.type === 'squelch') {
      const opened = sq.open && !this.tracker.live.squelchOpen;
      this.tracker.setSquelch(sq.open);
      if (opened && this.opts.profile.readChannelOnOpen) await this.readCurrentChannel();
    }
    if (this.actions.pollsMode && n % this.opts.profile.modePollEvery === 0) {
      await this.actions.refreshMode();
    }
  }

  private async readCurrentChannel(): Promise<void> {
    const r = await this.queue.send({ kind: 'current-channel' }, this.opts.profile.retries);
    // §6: NG on a short squelch opening means "no data", not an error.
    if (r.type === 'record') this.tracker.applyRecord(r.record);
    if (this.opts.profile.rescanAfterChannelRead && this.tracker.live.mode === 'scan') {
      await this.queue.send({ kind: 'key', code: this.opts.profile.keys.scan }, 0);
    }
  }

  private lostRemote(detail: string): void {
    const reason = `scanner stopped answering (${detail}); remote mode is lost at every power cycle: hold RMT ~2 s and press E`;
    this.opts.logger.warn(reason);
    this.silentReported = true;
    this.tracker.endActivity();
    this.tracker.patch({ connected: false, link: 'probing', reason, squelchOpen: false });
  }

  // ---- reports ----

  private onUnsolicited(l: UnsolicitedLine): void {
    if (l.type === 'squelch') {
      this.tracker.setSquelch(l.open);
    } else if (l.type === 'id') {
      this.tracker.idLine(l);
    } else {
      this.opts.logger.debug(`priority ${l.active ? 'signal' : 'returned'}`);
    }
  }

  private onGarbage(text: string): void {
    this.garbageCount++;
    // Log the first few, then every 100th, so a noisy line cannot flood the log.
    if (this.garbageCount <= 5 || this.garbageCount % 100 === 0) {
      this.opts.logger.warn('unexpected line from scanner', {
        line: text.slice(0, 60),
        count: this.garbageCount,
      });
    }
  }
}
