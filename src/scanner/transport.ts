// src/scanner/transport.ts: the ScannerTransport interface the controller talks through (serial port or simulator).

/** What a transport reports; every handler is optional. */
export interface TransportHandlers {
  /** One complete line from the scanner, CR stripped (§1 of the protocol reference). */
  line?(line: string): void;
  /** The link is up (port opened); a scanner may or may not be answering. */
  open?(): void;
  /** The link went down or failed to open; the transport keeps trying to reopen by itself. */
  close?(reason: string): void;
}

/** A line-oriented, self-reopening link to a scanner. */
export interface ScannerTransport {
  /** A short description for logs, e.g. "/dev/ttyUSB0 at 9600 baud". */
  readonly description: string;
  /** True while the link is up. */
  readonly isOpen: boolean;
  /** Starts opening (and reopening after loss). Idempotent. */
  start(): void;
  /** Sends one line; the transport appends the CR terminator. Throws when the link is down. */
  writeLine(text: string): void;
  /** Subscribes to events; returns the unsubscribe function. */
  subscribe(handlers: TransportHandlers): () => void;
  /** Closes the link for good and stops reopening. */
  close(): Promise<void>;
}

/** A small fan-out helper transports share. */
export class TransportListeners {
  private readonly set = new Set<TransportHandlers>();

  add(h: TransportHandlers): () => void {
    this.set.add(h);
    return () => void this.set.delete(h);
  }

  line(l: string): void {
    for (const h of [...this.set]) h.line?.(l);
  }

  open(): void {
    for (const h of [...this.set]) h.open?.();
  }

  close(reason: string): void {
    for (const h of [...this.set]) h.close?.(reason);
  }
}
