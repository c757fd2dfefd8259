// src/scanner/sim-transport.ts: connects a SimulatedScanner to the controller in-process, or to any line transport (a pty).
import type { Clock } from '../clock.js';
import type { SimulatedScanner } from './simulated-scanner.js';
import { TransportListeners, type ScannerTransport, type TransportHandlers } from './transport.js';

/** An in-process ScannerTransport whose far end is a SimulatedScanner (`--scanner sim`). */
export class SimulatedTransport implements ScannerTransport {
  readonly description = 'built-in BCT8 simulator';
  private readonly listeners = new TransportListeners();
  private open = false;
  private stopOutput: (() => void) | null = null;

  constructor(
    readonly sim: SimulatedScanner,
    private readonly clock: Clock,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  subscribe(h: TransportHandlers): () => void {
    return this.listeners.add(h);
  }

  start(): void {
    if (this.stopOutput) return;
    this.stopOutput = this.sim.onOutput((l) => this.listeners.line(l));
    // Open on the next turn, as a real port would, so subscribers attached after start() see it.
    this.clock.setTimer(() => {
      if (!this.stopOutput) return;
      this.open = true;
      this.listeners.open();
    }, 0);
  }

  writeLine(text: string): void {
    if (!this.open) throw new Error('simulator link is closed');
    this.sim.handleLine(text);
  }

  close(): Promise<void> {
    this.open = false;
    this.stopOutput?.();
    this.stopOutput = null;
    this.sim.close();
    return Promise.resolve();
  }
}

/**
 * Serves a simulator over a line transport (e.g. a SerialTransport on one end of a pty pair):
 * received lines go to the simulator, its output goes back. Returns the disconnect function.
 */
export function serveSimulator(sim: SimulatedScanner, link: ScannerTransport): () => void {
  const offIn = link.subscribe({ line: (l) => sim.handleLine(l) });
  const offOut = sim.onOutput((l) => {
    if (link.isOpen) link.writeLine(l);
  });
  link.start();
  return () => {
    offIn();
    offOut();
  };
}
