// src/scanner/serial-transport.ts: ScannerTransport over the serialport package, reopening after unplug or open failure.
import { SerialPort } from 'serialport';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import { splitLines } from './protocol.js';
import { TransportListeners, type ScannerTransport, type TransportHandlers } from './transport.js';

/** Default speed: 9600 is the BCT8 remote-mode default (§1 [BCT8: S1]); 57600 also works (S2). */
export const DEFAULT_BAUD = 9600;

/** Splits "PATH[:BAUD]" (already syntax-checked by config.ts) into its parts. */
export function parseSerialSpec(spec: string): { path: string; baudRate: number } {
  const m = /^(.+?)(?::(\d{3,6}))?$/.exec(spec);
  if (!m || !m[1]) throw new Error(`bad serial spec ${JSON.stringify(spec)}: use PATH[:BAUD]`);
  return { path: m[1], baudRate: m[2] ? Number(m[2]) : DEFAULT_BAUD };
}

/** Options of SerialTransport. */
export interface SerialTransportOptions {
  path: string;
  baudRate: number;
  clock: Clock;
  /** Pause before each reopen attempt, in ms (default 1000). */
  reopenMs?: number;
}

/**
 * The serial link. Port settings follow §1/§8 of the reference: 8N1, no RTS/CTS, no XON/XOFF,
 * CR-terminated lines. Lines are split here (tolerating a stray LF) rather than with
 * ReadlineParser, so a garbled burst cannot grow the buffer without bound.
 */
export class SerialTransport implements ScannerTransport {
  readonly description: string;
  private readonly listeners = new TransportListeners();
  private port: SerialPort | null = null;
  private pending = '';
  private started = false;
  private closed = false;
  private cancelReopen: (() => void) | null = null;
  private lastFailure = '';

  constructor(private readonly opts: SerialTransportOptions) {
    this.description = `${opts.path} at ${opts.baudRate} baud`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  subscribe(h: TransportHandlers): () => void {
    return this.listeners.add(h);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.openNow();
  }

  writeLine(text: string): void {
    const port = this.port;
    if (!port?.isOpen) throw new Error(`serial port ${this.opts.path} is not open`);
    port.write(`${text}\r`);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelReopen?.();
    this.cancelReopen = null;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }

  private openNow(): void {
    if (this.closed) return;
    const port = new SerialPort({
      path: this.opts.path,
      baudRate: this.opts.baudRate,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      rtscts: false,
      xon: false,
      xoff: false,
      autoOpen: false,
    });
    this.port = port;
    this.pending = '';
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('error', () => {
      // Errors are followed by 'close' or reported by open(); nothing else to do here.
    });
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.port !== port) return;
      this.port = null;
      // We close the port only in close(), so any other close means the device went away.
      const detail = err && !err.disconnected ? ` (${err.message})` : '';
      const why = `serial device disconnected${detail}`;
      this.failed(why);
    });
    port.open((err) => {
      if (this.closed || this.port !== port) {
        // close() ran while opening: do not leave the port open behind it.
        if (!err && port.isOpen) port.close();
        return;
      }
      if (err) {
        this.port = null;
        this.failed(`cannot open ${this.opts.path}: ${errorMessage(err)}`);
        return;
      }
      this.lastFailure = '';
      this.listeners.open();
    });
  }

  private onData(chunk: Buffer): void {
    // Bytes ≥ 0x80 cannot come from a clean link; latin1 keeps them visible as garbage, one char each.
    const { lines, rest } = splitLines(this.pending, chunk.toString('latin1'));
    this.pending = rest;
    for (const l of lines) this.listeners.line(l);
  }

  private failed(reason: string): void {
    if (this.closed) return;
    // Report each distinct failure once; repeated identical open failures stay quiet.
    if (reason !== this.lastFailure) this.listeners.close(reason);
    this.lastFailure = reason;
    this.cancelReopen?.();
    this.cancelReopen = this.opts.clock.setTimer(() => {
      this.cancelReopen = null;
      this.openNow();
    }, this.opts.reopenMs ?? 1000);
  }
}
