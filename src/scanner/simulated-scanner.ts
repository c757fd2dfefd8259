// src/scanner/simulated-scanner.ts: SimulatedScanner, a BCT8 that scans, receives and answers per §7 of the reference: its options, test controls and line input.
import type { Clock } from '../clock.js';
import { SimAir } from './sim-air.js';
import { SimCommands } from './sim-commands.js';
import { seededRandom } from '../random.js';
import { randomProgram, type SimChannel } from './sim-memory.js';
import { currentMHz, enabledBanks, newRadio, type SimMode, type SimRadio } from './sim-radio.js';
import { SimReplies } from './sim-replies.js';
import type { SimScript } from './sim-script.js';

export type { SimMode } from './sim-radio.js';

/** Options of SimulatedScanner. Unconfirmed BCT8 behaviour is switchable (§7). */
export interface SimulatorOptions {
  clock: Clock;
  /** Random source in [0, 1); defaults to a generator seeded with `seed`. */
  random?: () => number;
  /** Seed for the default random source (default 1). */
  seed?: number;
  /** Remote mode at start; a real scanner powers up with it off and stays silent (§1, §7.2). */
  remoteMode?: boolean;
  /** Reply latency in ms (default 5; §7.7 "within a few ms"). */
  replyDelayMs?: number;
  /** Probability (0-1) that a reply line is garbled. */
  garbleRate?: number;
  /** Firmware field of SI (default "105", §3.1). */
  firmware?: string;
  /** Emit the 4th token (frequency) in ID lines (default true: S2's BCT8 form; family has 3, §3.1). */
  idFrequencyToken?: boolean;
  /** Answer a bare RF query (default false: v1.05 answers NG, §3.1). */
  rfQuery?: boolean;
  /** Support SG and WI (default false: BCT8 support is [UNK], §3.2). */
  signalQueries?: boolean;
  /** Support MD (default true, family §3.2). */
  modeQuery?: boolean;
  /** Bare MA switches to manual (default false: family says yes, S1 saw no such effect, §3.1). */
  maSwitchesToManual?: boolean;
  /** MD numbers reported per mode (BCT8 table [UNK]; defaults follow the family, §5.3). */
  modeCodes?: Partial<Record<SimMode, number>>;
  /** Chance per scan step that the channel is busy (default 0.03). 0 = quiet band. */
  activity?: number;
  /** Dwell per channel while scanning, ms (default 100). */
  stepMs?: number;
  /** Transmission length range in ms (default 1000-5000). */
  transmissionMs?: [number, number];
}

/** Read-only view for tests and the pty script. */
export interface SimSnapshot {
  remoteMode: boolean;
  mode: SimMode;
  channel: number;
  frequencyMHz: number;
  squelchOpen: boolean;
  talkgroup: string | null;
  banks: string;
  mute: 'A' | 'N' | 'F';
  priority: boolean;
}

/**
 * An in-memory BCT8. Feed it command lines with handleLine(); it answers through the output
 * listener after replyDelayMs, and emits unsolicited ID/squelch lines when those reports are on.
 */
export class SimulatedScanner {
  private readonly radio: SimRadio;
  private readonly replies: SimReplies;
  private readonly air: SimAir;
  private readonly commands: SimCommands;
  /** Behaviour switches that tests and the pty script may change at run time. */
  readonly behaviour: { replyDelayMs: number; garbleRate: number; activity: number };

  constructor(opts: SimulatorOptions) {
    const random = opts.random ?? seededRandom(opts.seed ?? 1);
    this.radio = newRadio(randomProgram(random), opts.remoteMode ?? false);
    this.behaviour = {
      replyDelayMs: opts.replyDelayMs ?? 5,
      garbleRate: opts.garbleRate ?? 0,
      activity: opts.activity ?? 0.03,
    };
    this.replies = new SimReplies(opts.clock, random, this.behaviour);
    this.air = new SimAir(this.radio, opts.clock, random, this.behaviour, opts, (line) =>
      this.replies.emit(line),
    );
    this.commands = new SimCommands(this.radio, opts, this.air);
    this.air.start();
  }

  /** Subscribes to output lines (without CR); returns the unsubscribe function. */
  onOutput(fn: (line: string) => void): () => void {
    return this.replies.onOutput(fn);
  }

  /** Models the RMT button (§1): on = answers commands, off = silent. */
  setRemoteMode(on: boolean): void {
    this.radio.remote = on;
  }

  /** Models a power cycle: remote mode and auto-reports are lost, scanning restarts (§1, §6). */
  powerCycle(): void {
    this.radio.remote = false;
    for (const k of this.radio.flags.keys()) this.radio.flags.set(k, false);
    this.air.endCarrier(false);
    this.radio.mode = 'scan';
  }

  /** Starts a transmission now on the current channel (or a given frequency), for tests. */
  transmit(durationMs: number, talkgroup?: string): void {
    this.air.endCarrier(false);
    this.air.beginCarrier(durationMs, talkgroup);
  }

  /** Overwrites a channel directly (test setup). */
  program(channel: number, ch: Partial<SimChannel>): void {
    const cur = this.radio.memory[channel - 1];
    if (cur) this.radio.memory[channel - 1] = { ...cur, ...ch };
  }

  snapshot(): SimSnapshot {
    const r = this.radio;
    return {
      remoteMode: r.remote,
      mode: r.mode,
      channel: r.channel,
      frequencyMHz: currentMHz(r),
      squelchOpen: r.carrier !== null,
      talkgroup: r.carrier?.talkgroup ?? null,
      banks: enabledBanks(r),
      mute: r.mute,
      priority: r.flags.get('PR') ?? false,
    };
  }

  /**
   * Follows a looped clip (the demo): random activity stops, each scripted channel is programmed,
   * and the squelch opens on the scripted channel, frequency and talkgroup exactly while a
   * transmission plays (in scan mode, or when holding that channel), at the script's wall times.
   */
  playScript(script: SimScript): void {
    this.behaviour.activity = 0;
    for (const tx of script.transmissions) {
      this.program(tx.channel, {
        frequencyMHz: tx.frequencyMHz,
        trunk: tx.talkgroup !== null,
        delay: false,
        lockout: false,
      });
    }
    this.air.follow(script);
  }

  /** Stops the scan timer and any queued replies. */
  close(): void {
    this.air.close();
    this.replies.close();
  }

  /** Handles one received line (CR stripped). Silent outside remote mode (§7.2); no echo (§1). */
  handleLine(raw: string): void {
    const line = raw.replace(/[\r\n]/g, '');
    if (!this.radio.remote || line.trim() === '') return;
    this.replies.reply(this.commands.answer(line));
  }
}
