// src/scanner/sim-replies.ts: SimReplies: the simulator's output lines: replies in order after the reply delay, garbled at the garble rate, to every listener.
import type { Clock } from '../clock.js';

/** The run-time switches the replies follow (SimulatedScanner.behaviour). */
export interface ReplyBehaviour {
  replyDelayMs: number;
  garbleRate: number;
}

/** Output of one simulated scanner. */
export class SimReplies {
  private readonly outputs = new Set<(line: string) => void>();
  private readonly cancels = new Set<() => void>();
  private replyQueueAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly behaviour: ReplyBehaviour,
  ) {}

  /** Subscribes to output lines (without CR); returns the unsubscribe function. */
  onOutput(fn: (line: string) => void): () => void {
    this.outputs.add(fn);
    return () => void this.outputs.delete(fn);
  }

  /** Queues a reply to a command. */
  reply(text: string): void {
    // Replies leave in order: each waits for the previous one (a slow scanner stays sequential).
    const at = Math.max(this.clock.now() + this.behaviour.replyDelayMs, this.replyQueueAt);
    this.replyQueueAt = at;
    const out = this.random() < this.behaviour.garbleRate ? this.garble(text) : text;
    const cancel = this.clock.setTimer(() => {
      this.cancels.delete(cancel);
      this.emit(out);
    }, at - this.clock.now());
    this.cancels.add(cancel);
  }

  /** Sends a line now (unsolicited reports). */
  emit(line: string): void {
    for (const fn of [...this.outputs]) fn(line);
  }

  /** Drops every queued reply. */
  close(): void {
    for (const c of this.cancels) c();
    this.cancels.clear();
  }

  private garble(text: string): string {
    const chars = [...text];
    const n = 1 + Math.floor(this.random() * 3);
    for (let i = 0; i < n; i++) {
      const at = Math.floor(this.random() * (chars.length + 1));
      chars.splice(at, 1, String.fromCharCode(0x21 + Math.floor(this.random() * 0x5e)));
    }
    return chars.join('');
  }
}
