// src/scanner/status-tracker.ts: StatusTracker: the live ScannerStatus and transmission log, changed by squelch, ID lines and channel records, and their listeners.
import type { Clock } from '../clock.js';
import type { UnsolicitedLine } from './command-queue.js';
import type { ChannelRecord } from './protocol.js';
import { initialStatus, statusChanged, trunkTypeOf, type ScannerStatus } from './scanner-status.js';
import { TransmissionLog, type Transmission } from './transmission-log.js';

/** Holds what is known about one scanner and tells listeners when it changes. */
export class StatusTracker {
  private readonly log: TransmissionLog = new TransmissionLog(50);
  private current: ScannerStatus;
  private readonly statusFns = new Set<(s: ScannerStatus) => void>();
  private readonly txFns = new Set<(t: Transmission[]) => void>();

  constructor(
    private readonly clock: Clock,
    port: string,
  ) {
    this.current = initialStatus(port, clock.now());
  }

  /** The current status itself, for reading; status() gives a copy. */
  get live(): Readonly<ScannerStatus> {
    return this.current;
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

  /** Merges p into the status and notifies listeners when anything they see changed. */
  patch(p: Partial<ScannerStatus>): void {
    const next = {
      ...this.current,
      ...p,
      updatedAt: new Date(this.clock.now()).toISOString(),
    };
    if (!statusChanged(this.current, next)) return;
    this.current = next;
    const snapshot = this.status();
    for (const fn of [...this.statusFns]) fn(snapshot);
  }

  /** An ID S/E line (§3.1 ID): a trunked call starts or ends. */
  idLine(l: Extract<UnsolicitedLine, { type: 'id' }>): void {
    const now = this.clock.now();
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

  /** The squelch opened or closed (a poll or a QU report): a transmission starts or ends. */
  setSquelch(open: boolean): void {
    if (open === this.current.squelchOpen) return;
    const now = this.clock.now();
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

  /** A channel record read or written: where the scanner is, and what the open transmission is on. */
  applyRecord(r: ChannelRecord): void {
    const trunkGone = r.trunk ? {} : { talkgroup: null, trunkSystem: null };
    this.patch({ channel: r.channel, bank: r.bank, frequencyMHz: r.frequencyMHz, ...trunkGone });
    if (this.log.isOpen) {
      this.log.update({ channel: r.channel, bank: r.bank, frequencyMHz: r.frequencyMHz });
      this.emitTransmissions();
    }
  }

  /** Closes the open transmission, if any (the link or remote mode was lost). */
  endActivity(): void {
    if (!this.log.isOpen) return;
    this.log.close(this.clock.now());
    this.emitTransmissions();
  }

  private emitTransmissions(): void {
    const list = this.log.list();
    for (const fn of [...this.txFns]) fn(list);
  }
}
