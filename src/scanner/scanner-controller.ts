// src/scanner/scanner-controller.ts: ScannerController: probe with SI, poll, track status and transmissions, run actions.
// It knows nothing of serialport: it drives any ScannerTransport. § = shared/reference/bct8-protocol.md.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ScannerAction } from './actions.js';
import { CommandQueue, type CommandTiming, type UnsolicitedLine } from './command-queue.js';
import type { ScannerProfile } from './profile.js';
import {
  formatFirmware,
  type ChannelRecord,
  type ScannerCommand,
  type ScannerLine,
} from './protocol.js';
import {
  ScannerLinkError,
  ScannerRejectedError,
  ScannerTimeoutError,
  ScannerUnsupportedError,
} from './scanner-errors.js';
import {
  initialStatus,
  modeFromRaw,
  statusChanged,
  trunkTypeOf,
  type ScannerStatus,
} from './scanner-status.js';
import { TransmissionLog, type Transmission } from './transmission-log.js';
import type { ScannerTransport } from './transport.js';

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

/** What an action returns besides the new status. */
export interface ActionResult {
  /** The channel record, for actions that read one. */
  record?: ChannelRecord;
  /** Enabled banks after a `banks` action. */
  banks?: string;
}

const SILENT_HINT =
  'no reply to SI: the scanner is off, not in remote mode (lost at every power cycle: hold RMT ~2 s, pick the speed, press E), or the cable/baud is wrong';

/** Drives one scanner. Never throws out of its loops; failures become status and log lines. */
export class ScannerController {
  private readonly queue: CommandQueue;
  private readonly log: TransmissionLog = new TransmissionLog(50);
  private current: ScannerStatus;
  private readonly statusFns = new Set<(s: ScannerStatus) => void>();
  private readonly txFns = new Set<(t: Transmission[]) => void>();
  private readonly sleepers = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private generation = 0;
  private closed = false;
  private pollMode: boolean;
  private silentReported = false;
  private garbageCount = 0;
  private pollMs: number;

  constructor(private readonly opts: ScannerControllerOptions) {
    this.current = initialStatus(opts.transport.description, opts.clock.now());
    this.pollMode = opts.profile.pollMode;
    this.pollMs = opts.pollMs;
    this.queue = new CommandQueue(opts.transport, opts.clock, opts.profile.commandTimeoutMs, {
      unsolicited: (l) => this.onUnsolicited(l),
      garbage: (t) => this.onGarbage(t),
      completed: (t) => opts.onCommand?.(t),
    });
  }

  /** Changes the squelch poll interval from the next poll on (config reload). */
  setPollMs(ms: number): void {
    this.pollMs = ms;
  }

  /** Current status (a copy). */
  status(): ScannerStatus {
    return {
      ...this.current,
      trunkSystem: this.current.trunkSystem && { ...this.current.trunkSystem },
    };
  }

  /** Recent transmissions, newest first. */
  transmissions(): Transmission[] {
    return this.log.list();
  }

  /** Calls fn on every status change; returns the unsubscribe function. */
  onStatus(fn: (s: ScannerStatus) => void): () => void {
    this.statusFns.add(fn);
    return () => void this.statusFns.delete(fn);
  }

  /** Calls fn whenever the transmission log changes; returns the unsubscribe function. */
  onTransmissions(fn: (t: Transmission[]) => void): () => void {
    this.txFns.add(fn);
    return () => void this.txFns.delete(fn);
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
    const wasReady = this.current.connected;
    this.closed = true;
    this.generation++;
    this.wakeAll();
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
    const rec = await this.expectRecord({ kind: 'read-channel', channel });
    return rec;
  }

  /** Runs a validated action; throws the typed scanner errors on NG, ERR, timeout or no link. */
  async perform(a: ScannerAction): Promise<ActionResult> {
    this.requireReady();
    const keys = this.opts.profile.keys;
    switch (a.action) {
      case 'scan':
      case 'resume':
        await this.expectOk({ kind: 'key', code: keys[a.action] });
        await this.afterModeChange('scan');
        return {};
      case 'hold': {
        // HOLD/RESUME is one toggling key on the BCT8 [INF §5.4]: never press it when already held.
        if (this.current.mode !== 'hold') {
          await this.expectOk({ kind: 'key', code: keys.hold });
          await this.afterModeChange('hold');
        }
        const r = await this.send({ kind: 'current-channel' });
        if (r.type === 'record') this.applyRecord(r.record);
        return r.type === 'record' ? { record: r.record } : {};
      }
      case 'channel': {
        const record = await this.expectRecord({ kind: 'goto-channel', channel: a.channel });
        this.applyRecord(record);
        await this.afterModeChange('manual');
        return { record };
      }
      case 'tune':
        await this.expectOk({ kind: 'tune', frequencyMHz: a.frequencyMHz });
        this.patch({
          frequencyMHz: a.frequencyMHz,
          channel: null,
          bank: null,
          talkgroup: null,
          trunkSystem: null,
        });
        await this.afterModeChange('manual');
        return {};
      case 'mute':
        await this.expectOk({ kind: 'mute', mode: a.mode });
        return {};
      case 'lockout':
      case 'unlock':
        await this.expectOk({ kind: 'flag', name: 'LO', on: a.action === 'lockout' });
        return {};
      case 'priority':
        await this.expectOk({ kind: 'flag', name: 'PR', on: a.on });
        return {};
      case 'banks': {
        const r = await this.send({ kind: 'banks', banks: a.banks });
        if (r.type !== 'flag' && r.type !== 'ok') this.throwFor(r, 'SB');
        return { banks: r.type === 'flag' ? r.value : a.banks };
      }
      case 'write-channel': {
        const { channel, frequencyMHz, trunk } = a;
        const record = await this.expectRecord({
          kind: 'write-channel',
          channel,
          frequencyMHz,
          trunk,
        });
        this.applyRecord(record);
        await this.afterModeChange('manual'); // family: a PM write switches to manual (§3.1)
        return { record };
      }
    }
  }

  // ---- link and session ----

  private onLinkOpen(): void {
    if (this.closed) return;
    const g = ++this.generation;
    this.opts.logger.info('scanner link open; probing with SI', {
      port: this.opts.transport.description,
    });
    this.patch({
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
    this.wakeAll();
    this.opts.logger.warn('scanner link down; will keep reopening', { reason });
    this.endActivity();
    this.patch({ link: 'closed', connected: false, reason, squelchOpen: false });
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
      await this.sleep(150);
    }
    while (this.alive(g)) {
      if (await this.probe()) {
        await this.setUp();
        await this.pollLoop(g);
      } else {
        await this.sleep(this.opts.profile.probeIntervalMs);
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
    this.patch({ connected: true, link: 'ready', reason: null, model: line.model, firmware });
    return true;
  }

  private reportSilent(): void {
    if (!this.silentReported) this.opts.logger.warn(`scanner silent: ${SILENT_HINT}`);
    this.silentReported = true;
    this.patch({ connected: false, link: 'probing', reason: SILENT_HINT });
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
      await this.sleep(this.pollMs);
    }
  }

  /** §4.2/§4.3: SQ every poll, MA when squelch opens, MD every modePollEvery polls. */
  private async pollOnce(n: number): Promise<void> {
    const sq = await this.queue.send({ kind: 'squelch' }, this.opts.profile.retries);
    if (sq.type === 'squelch') {
      const opened = sq.open && !this.current.squelchOpen;
      this.setSquelch(sq.open);
      if (opened && this.opts.profile.readChannelOnOpen) await this.readCurrentChannel();
    }
    if (this.pollMode && n % this.opts.profile.modePollEvery === 0) await this.refreshMode();
  }

  private async readCurrentChannel(): Promise<void> {
    const r = await this.queue.send({ kind: 'current-channel' }, this.opts.profile.retries);
    // §6: NG on a short squelch opening means "no data", not an error.
    if (r.type === 'record') this.applyRecord(r.record);
    if (this.opts.profile.rescanAfterChannelRead && this.current.mode === 'scan') {
      await this.queue.send({ kind: 'key', code: this.opts.profile.keys.scan }, 0);
    }
  }

  private async refreshMode(): Promise<void> {
    const r = await this.queue.send({ kind: 'mode' }, this.opts.profile.retries);
    if (r.type === 'mode') {
      this.patch({
        mode: modeFromRaw(this.opts.profile, r.raw),
        modeRaw: r.raw,
        modeSource: 'scanner',
      });
    } else if (r.type === 'err') {
      // §2.1: ERR means the command does not exist on this model; track mode from our commands.
      this.pollMode = false;
      this.opts.logger.warn('scanner answered ERR to MD; mode now follows the commands sent');
    }
  }

  private lostRemote(detail: string): void {
    const reason = `scanner stopped answering (${detail}); remote mode is lost at every power cycle: hold RMT ~2 s and press E`;
    this.opts.logger.warn(reason);
    this.silentReported = true;
    this.endActivity();
    this.patch({ connected: false, link: 'probing', reason, squelchOpen: false });
  }

  // ---- reports and status ----

  private onUnsolicited(l: UnsolicitedLine): void {
    if (l.type === 'squelch') {
      this.setSquelch(l.open);
    } else if (l.type === 'id') {
      this.onIdLine(l);
    } else {
      this.opts.logger.debug(`priority ${l.active ? 'signal' : 'returned'}`);
    }
  }

  private onIdLine(l: Extract<UnsolicitedLine, { type: 'id' }>): void {
    const now = this.opts.clock.now();
    const at = new Date(now).toISOString();
    if (l.phase === 'start') {
      const freq = l.frequencyMHz ?? this.current.frequencyMHz;
      if (this.log.isOpen) this.log.update({ talkgroup: l.talkgroup, frequencyMHz: freq });
      else this.log.open(now, { talkgroup: l.talkgroup, frequencyMHz: freq });
      const bank = this.current.channel !== null ? this.current.bank : null;
      this.patch({
        talkgroup: l.talkgroup,
        trunkSystem: { type: trunkTypeOf(l.talkgroup), bank },
        frequencyMHz: freq,
        lastActivity: at,
      });
    } else {
      this.log.close(now);
      this.patch({ talkgroup: null, lastActivity: at });
    }
    this.emitTransmissions();
  }

  private setSquelch(open: boolean): void {
    if (open === this.current.squelchOpen) return;
    const now = this.opts.clock.now();
    if (open) {
      const stopped = this.current.mode === 'hold' || this.current.mode === 'manual';
      const c = this.current;
      const info = stopped
        ? { frequencyMHz: c.frequencyMHz, channel: c.channel, bank: c.bank }
        : {};
      // A trunked call announces itself with an ID S line before the squelch poll sees it open:
      // that is the same transmission, so add to it rather than start another.
      if (this.log.isOpen) this.log.update(info);
      else this.log.open(now, info);
    } else {
      this.log.close(now);
    }
    this.patch({ squelchOpen: open, lastActivity: new Date(now).toISOString() });
    this.emitTransmissions();
  }

  private applyRecord(r: ChannelRecord): void {
    const trunkGone = r.trunk ? {} : { talkgroup: null, trunkSystem: null };
    this.patch({ channel: r.channel, bank: r.bank, frequencyMHz: r.frequencyMHz, ...trunkGone });
    if (this.log.isOpen) {
      this.log.update({ channel: r.channel, bank: r.bank, frequencyMHz: r.frequencyMHz });
      this.emitTransmissions();
    }
  }

  private endActivity(): void {
    if (!this.log.isOpen) return;
    this.log.close(this.opts.clock.now());
    this.emitTransmissions();
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

  private patch(p: Partial<ScannerStatus>): void {
    const next = {
      ...this.current,
      ...p,
      updatedAt: new Date(this.opts.clock.now()).toISOString(),
    };
    if (!statusChanged(this.current, next)) return;
    this.current = next;
    const snapshot = this.status();
    for (const fn of [...this.statusFns]) fn(snapshot);
  }

  private emitTransmissions(): void {
    const list = this.log.list();
    for (const fn of [...this.txFns]) fn(list);
  }

  // ---- commands for actions ----

  private requireReady(): void {
    if (!this.current.connected)
      throw new ScannerLinkError(`scanner not connected: ${this.current.reason ?? ''}`);
  }

  private send(cmd: ScannerCommand): Promise<ScannerLine> {
    // A key press may toggle (HOLD/RESUME), so a lost reply must not lead to a second press.
    return this.queue.send(cmd, cmd.kind === 'key' ? 0 : this.opts.profile.retries);
  }

  private throwFor(r: ScannerLine, what: string): never {
    if (r.type === 'err') throw new ScannerUnsupportedError(what);
    throw new ScannerRejectedError(what);
  }

  private async expectOk(cmd: ScannerCommand): Promise<void> {
    const r = await this.send(cmd);
    if (r.type !== 'ok') this.throwFor(r, cmd.kind);
  }

  private async expectRecord(cmd: ScannerCommand): Promise<ChannelRecord> {
    const r = await this.send(cmd);
    if (r.type !== 'record') this.throwFor(r, cmd.kind);
    return r.record;
  }

  /** Refreshes mode from MD, or records the mode the command implies when MD is unsupported. */
  private async afterModeChange(implied: 'scan' | 'hold' | 'manual'): Promise<void> {
    if (this.pollMode) {
      await this.refreshMode();
      if (this.pollMode) return;
    }
    this.patch({ mode: implied, modeRaw: null, modeSource: 'command' });
  }

  // ---- timers ----

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        cancel();
        this.sleepers.delete(wake);
        resolve();
      };
      const cancel = this.opts.clock.setTimer(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private wakeAll(): void {
    for (const w of [...this.sleepers]) w();
  }
}
