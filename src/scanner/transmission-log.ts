// src/scanner/transmission-log.ts: TransmissionLog, recent transmissions built from squelch open/close and ID lines.

/** One received transmission. */
export interface Transmission {
  /** ISO start time. */
  start: string;
  /** ISO end time; null while on the air. */
  end: string | null;
  /** Seconds on the air; null while on the air. */
  durationSec: number | null;
  frequencyMHz: number | null;
  channel: number | null;
  bank: number | null;
  talkgroup: string | null;
}

/** What is known about the signal when a transmission starts or while it lasts. */
export type TransmissionInfo = Partial<
  Pick<Transmission, 'frequencyMHz' | 'channel' | 'bank' | 'talkgroup'>
>;

/**
 * Newest-first log with a fixed length. Pure: callers pass the time. A transmission opens on
 * squelch open or an `ID S` line, gathers channel/talkgroup details, and closes on squelch close
 * or `ID E`, whichever comes first.
 */
export class TransmissionLog {
  private readonly items: Transmission[] = [];
  private startMs = 0;

  /** Keeps at most `limit` entries (default 50). */
  constructor(private readonly limit = 50) {}

  /** True while a transmission is open. */
  get isOpen(): boolean {
    return this.items[0]?.end === null;
  }

  /** Opens a transmission, closing any open one first. */
  open(nowMs: number, info: TransmissionInfo): void {
    this.close(nowMs);
    this.startMs = nowMs;
    this.items.unshift({
      start: new Date(nowMs).toISOString(),
      end: null,
      durationSec: null,
      frequencyMHz: info.frequencyMHz ?? null,
      channel: info.channel ?? null,
      bank: info.bank ?? null,
      talkgroup: info.talkgroup ?? null,
    });
    this.items.length = Math.min(this.items.length, this.limit);
  }

  /** Adds details to the open transmission (no-op when none is open). */
  update(info: TransmissionInfo): void {
    const t = this.items[0];
    if (!t || t.end !== null) return;
    for (const [k, v] of Object.entries(info) as [keyof TransmissionInfo, unknown][]) {
      if (v !== undefined && v !== null) Object.assign(t, { [k]: v });
    }
  }

  /** Closes the open transmission, if any. */
  close(nowMs: number): void {
    const t = this.items[0];
    if (!t || t.end !== null) return;
    t.end = new Date(nowMs).toISOString();
    t.durationSec = Math.max(0, Math.round((nowMs - this.startMs) / 100) / 10);
  }

  /** A copy of the entries, newest first. */
  list(): Transmission[] {
    return this.items.map((t) => ({ ...t }));
  }
}
