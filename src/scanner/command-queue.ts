// src/scanner/command-queue.ts: one outstanding command at a time, with timeout, retries and unsolicited-line routing.
import type { Clock } from '../clock.js';
import { encodeCommand, parseLine, type ScannerCommand, type ScannerLine } from './protocol.js';
import { ScannerLinkError, ScannerTimeoutError } from './scanner-errors.js';
import type { ScannerTransport } from './transport.js';

/** Lines that are never a reply to the pending command (§8 "Classify reply lines"). */
export type UnsolicitedLine = Extract<ScannerLine, { type: 'id' | 'priority' | 'squelch' }>;

/** One finished command: its kind, ms from first transmission to the outcome, and the outcome. */
export interface CommandTiming {
  command: ScannerCommand['kind'];
  ms: number;
  /** reply: answered; rejected: NG or ERR; timeout: no reply after the retries; link: port lost. */
  outcome: 'reply' | 'rejected' | 'timeout' | 'link';
}

/** Callbacks of the queue. */
export interface CommandQueueEvents {
  unsolicited(line: UnsolicitedLine): void;
  /** A line that is neither the awaited reply nor a known report. */
  garbage(text: string): void;
  /** A command finished (metrics). */
  completed?(timing: CommandTiming): void;
}

/** Whether `line` answers `cmd`. Generic OK/NG/ERR answer anything (§2.1). */
export function isReplyTo(cmd: ScannerCommand, line: ScannerLine): boolean {
  if (line.type === 'ng' || line.type === 'err') return true;
  switch (cmd.kind) {
    case 'identify':
      return line.type === 'identity';
    case 'squelch':
      return line.type === 'squelch';
    case 'current-channel':
    case 'goto-channel':
    case 'read-channel':
    case 'write-channel':
      return line.type === 'record';
    case 'mode':
      return line.type === 'mode';
    case 'banks':
      // §3.2 SB echoes the bank list on siblings [FAM]; accept a plain OK too.
      return (line.type === 'flag' && line.name === 'SB') || line.type === 'ok';
    default:
      return line.type === 'ok';
  }
}

interface Pending {
  cmd: ScannerCommand;
  text: string;
  attempt: number;
  retries: number;
  startedMs: number;
  cancelTimer: () => void;
  resolve(line: ScannerLine): void;
  reject(e: Error): void;
}

interface Queued {
  cmd: ScannerCommand;
  retries: number;
  resolve(line: ScannerLine): void;
  reject(e: Error): void;
}

/** Serialises commands over a transport (§1 "Half-duplex discipline"). */
export class CommandQueue {
  private pending: Pending | null = null;
  private readonly waiting: Queued[] = [];

  constructor(
    private readonly transport: ScannerTransport,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly events: CommandQueueEvents,
  ) {}

  /**
   * Sends cmd once the previous command is answered. Resolves with the reply line (which may be
   * NG or ERR: the caller decides what they mean). Rejects with ScannerTimeoutError or
   * ScannerLinkError. Encoding errors throw before anything is queued.
   */
  send(cmd: ScannerCommand, retries: number): Promise<ScannerLine> {
    encodeCommand(cmd); // validate now, so a bad value never waits in the queue
    return new Promise((resolve, reject) => {
      this.waiting.push({ cmd, retries, resolve, reject });
      this.pump();
    });
  }

  /** Feeds one received line (CR stripped). */
  receive(text: string): void {
    const line = parseLine(text);
    const p = this.pending;
    if (p && line.type === 'overrun') {
      // §2.1: FER/ORER are line errors; RadioCtl retries once. Count it as a failed attempt.
      this.retryOrFail(p);
      return;
    }
    if (p && isReplyTo(p.cmd, line)) {
      p.cancelTimer();
      this.pending = null;
      this.report(p, line.type === 'ng' || line.type === 'err' ? 'rejected' : 'reply');
      p.resolve(line);
      this.pump();
      return;
    }
    if (line.type === 'id' || line.type === 'priority' || line.type === 'squelch') {
      this.events.unsolicited(line);
      return;
    }
    this.events.garbage(text);
  }

  /** Rejects the pending and queued commands (link lost or shutting down). */
  failAll(reason: string): void {
    const err = new ScannerLinkError(reason);
    const p = this.pending;
    this.pending = null;
    if (p) {
      p.cancelTimer();
      this.report(p, 'link');
      p.reject(err);
    }
    for (const q of this.waiting.splice(0)) q.reject(err);
  }

  private pump(): void {
    if (this.pending) return;
    const next = this.waiting.shift();
    if (!next) return;
    const text = encodeCommand(next.cmd);
    this.pending = {
      ...next,
      text,
      attempt: 0,
      startedMs: this.clock.now(),
      cancelTimer: () => {},
    };
    this.transmit(this.pending);
  }

  private transmit(p: Pending): void {
    p.attempt++;
    p.cancelTimer = this.clock.setTimer(() => {
      if (this.pending === p) this.retryOrFail(p);
    }, this.timeoutMs);
    try {
      this.transport.writeLine(p.text);
    } catch (e) {
      p.cancelTimer();
      this.pending = null;
      this.report(p, 'link');
      p.reject(new ScannerLinkError(e instanceof Error ? e.message : String(e)));
      this.pump();
    }
  }

  private retryOrFail(p: Pending): void {
    p.cancelTimer();
    if (p.attempt <= p.retries) {
      this.transmit(p);
      return;
    }
    this.pending = null;
    this.report(p, 'timeout');
    p.reject(new ScannerTimeoutError(p.text, p.attempt));
    this.pump();
  }

  private report(p: Pending, outcome: CommandTiming['outcome']): void {
    this.events.completed?.({
      command: p.cmd.kind,
      ms: this.clock.now() - p.startedMs,
      outcome,
    });
  }
}
