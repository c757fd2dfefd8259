// src/scanner/simulated-scanner.ts: SimulatedScanner, a BCT8 that scans, receives and answers per §7 of the reference.
import type { Clock } from '../clock.js';
import {
  BANK_LETTERS,
  CHANNEL_COUNT,
  bankOfChannel,
  decodeFrequency,
  encodeFrequency,
  formatChannelRecord,
} from './protocol.js';
import {
  SIM_TALKGROUPS,
  emptyChannel,
  randomProgram,
  seededRandom,
  type SimChannel,
} from './sim-memory.js';
import { scriptedAirAt, type SimScript } from './sim-script.js';

/** The simulator's own modes; 'vfo' is the state after RF tuning (§3.1 RF). */
export type SimMode = 'scan' | 'hold' | 'manual' | 'vfo' | 'search';

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

const DEFAULT_MODE_CODES: Record<SimMode, number> = {
  scan: 0,
  manual: 1,
  search: 2,
  hold: 3,
  vfo: 8,
};
const DELAY_MS = 2000;

/** A transmission in progress on the simulated air. */
interface Carrier {
  channel: number | null;
  frequencyMHz: number;
  talkgroup: string | null;
  endsAt: number;
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
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly memory: SimChannel[];
  private readonly outputs = new Set<(line: string) => void>();
  private readonly modeCodes: Record<SimMode, number>;
  private remote: boolean;
  private mode: SimMode = 'scan';
  private channel = 1;
  private vfoMHz = 0;
  private carrier: Carrier | null = null;
  private resumeAt = 0;
  private flags = new Map<string, boolean>([
    ['ID', false],
    ['QU', false],
    ['RI', false],
    ['PR', false],
  ]);
  private mute: 'A' | 'N' | 'F' = 'A';
  private banks = new Set(BANK_LETTERS);
  private cancelTick: (() => void) | null = null;
  private replyQueueAt = 0;
  private readonly cancels = new Set<() => void>();
  private script: SimScript | null = null;
  private cancelScript: (() => void) | null = null;
  /** Behaviour switches that tests and the pty script may change at run time. */
  readonly behaviour: { replyDelayMs: number; garbleRate: number; activity: number };

  constructor(private readonly opts: SimulatorOptions) {
    this.clock = opts.clock;
    this.random = opts.random ?? seededRandom(opts.seed ?? 1);
    this.memory = randomProgram(this.random);
    this.remote = opts.remoteMode ?? false;
    this.modeCodes = { ...DEFAULT_MODE_CODES, ...opts.modeCodes };
    this.behaviour = {
      replyDelayMs: opts.replyDelayMs ?? 5,
      garbleRate: opts.garbleRate ?? 0,
      activity: opts.activity ?? 0.03,
    };
    this.scheduleTick();
  }

  /** Subscribes to output lines (without CR); returns the unsubscribe function. */
  onOutput(fn: (line: string) => void): () => void {
    this.outputs.add(fn);
    return () => void this.outputs.delete(fn);
  }

  /** Models the RMT button (§1): on = answers commands, off = silent. */
  setRemoteMode(on: boolean): void {
    this.remote = on;
  }

  /** Models a power cycle: remote mode and auto-reports are lost, scanning restarts (§1, §6). */
  powerCycle(): void {
    this.remote = false;
    for (const k of this.flags.keys()) this.flags.set(k, false);
    this.endCarrier(false);
    this.mode = 'scan';
  }

  /** Starts a transmission now on the current channel (or a given frequency), for tests. */
  transmit(durationMs: number, talkgroup?: string): void {
    this.endCarrier(false);
    this.beginCarrier(durationMs, talkgroup);
  }

  /** Overwrites a channel directly (test setup). */
  program(channel: number, ch: Partial<SimChannel>): void {
    const cur = this.memory[channel - 1];
    if (cur) this.memory[channel - 1] = { ...cur, ...ch };
  }

  snapshot(): SimSnapshot {
    return {
      remoteMode: this.remote,
      mode: this.mode,
      channel: this.channel,
      frequencyMHz: this.currentMHz(),
      squelchOpen: this.carrier !== null,
      talkgroup: this.carrier?.talkgroup ?? null,
      banks: [...BANK_LETTERS].filter((b) => this.banks.has(b)).join(''),
      mute: this.mute,
      priority: this.flags.get('PR') ?? false,
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
    this.script = script;
    this.cancelScript?.();
    this.scriptStep();
  }

  private scriptStep(): void {
    this.cancelScript = null;
    const script = this.script;
    if (!script) return;
    const now = this.clock.now();
    const air = scriptedAirAt(script, now);
    const tx = air.current;
    if (tx && this.carrier?.endsAt !== air.endsAtMs) {
      if (this.mode === 'scan') this.channel = tx.channel;
      const tuned = this.mode === 'scan' || this.channel === tx.channel;
      if (tuned && (this.mode === 'scan' || this.mode === 'hold' || this.mode === 'manual')) {
        this.endCarrier(true);
        this.beginCarrier(air.endsAtMs - now, tx.talkgroup ?? undefined);
      }
    } else if (!tx && this.carrier) this.endCarrier(true);
    this.cancelScript = this.clock.setTimer(
      () => this.scriptStep(),
      Math.max(1, air.nextChangeMs - now),
    );
  }

  /** Stops the scan timer and any queued replies. */
  close(): void {
    this.cancelScript?.();
    this.cancelScript = null;
    this.cancelTick?.();
    this.cancelTick = null;
    for (const c of this.cancels) c();
    this.cancels.clear();
  }

  /** Handles one received line (CR stripped). Silent outside remote mode (§7.2); no echo (§1). */
  handleLine(raw: string): void {
    const line = raw.replace(/[\r\n]/g, '');
    if (!this.remote || line.trim() === '') return;
    this.reply(this.answer(line));
  }

  // ---- command handling (§7.5) ----

  private answer(line: string): string {
    if (line !== line.toUpperCase()) return 'ERR'; // §1: lower case gives ERR
    const two = line.slice(0, 2);
    const arg = line.slice(2);
    switch (two) {
      case 'SI':
        return arg === '' ? `SI BCT8,0000000000,${this.opts.firmware ?? '105'}` : 'ERR';
      case 'SQ':
        return arg === '' ? (this.carrier ? '+' : '-') : 'ERR';
      case 'MA':
        return this.answerMA(arg);
      case 'PM':
        return this.answerPM(arg);
      case 'RF':
        return this.answerRF(arg);
      case 'MD':
        if (!(this.opts.modeQuery ?? true)) return 'ERR';
        return arg === '' ? `MD${String(this.modeCodes[this.mode]).padStart(2, '0')}` : 'ERR';
      case 'KE':
        return this.answerKey(line);
      case 'MU':
        return this.answerMute(arg);
      case 'SB':
        return this.answerBanks(arg);
      case 'LO':
        return this.answerLockout(arg);
      case 'SG':
      case 'WI':
        if (!this.opts.signalQueries || arg !== '') return 'ERR';
        return `${two === 'SG' ? 'S' : 'W'}${this.carrier ? '150' : '040'} F${encodeFrequency(this.currentMHz())}`;
      case 'ID':
      case 'QU':
      case 'RI':
      case 'PR':
        return this.answerFlag(two, arg);
      default:
        // Includes AC (factory reset): never implemented as an erase (§7.8).
        return 'ERR';
    }
  }

  private answerFlag(name: string, arg: string): string {
    if (arg === '') return `${name}${this.flags.get(name) ? 'N' : 'F'}`;
    if (arg !== 'N' && arg !== 'F') return 'ERR';
    this.flags.set(name, arg === 'N');
    return 'OK';
  }

  private answerMA(arg: string): string {
    if (arg === '') {
      // §3.1: NG unless stopped on a channel (short openings give NG on a BCT8).
      const stopped =
        this.mode === 'hold' || this.mode === 'manual' || (this.mode === 'scan' && this.carrier);
      if (!stopped) return 'NG';
      if (this.opts.maSwitchesToManual) this.mode = 'manual';
      return this.record(this.channel);
    }
    const ch = this.channelArg(arg);
    if (ch === null) return 'ERR';
    this.gotoManual(ch);
    return this.record(ch);
  }

  private answerPM(arg: string): string {
    const read = this.channelArg(arg);
    if (read !== null) return this.record(read);
    const m = /^(\d{3})([ T])(\d{8})$/.exec(arg);
    const ch = m ? this.channelArg(m[1] ?? '') : null;
    const mhz = m ? decodeFrequency(m[3] ?? '') : null;
    if (!m || ch === null || mhz === null) return 'ERR';
    const cur = this.memory[ch - 1] ?? emptyChannel();
    this.memory[ch - 1] =
      mhz === 0
        ? emptyChannel()
        : { ...cur, frequencyMHz: mhz, trunk: m[2] === 'T', lockout: false };
    this.gotoManual(ch); // family: a PM write switches to manual on that channel (§3.1)
    return this.record(ch);
  }

  private answerRF(arg: string): string {
    if (arg === '') return this.opts.rfQuery ? `RF${encodeFrequency(this.currentMHz())}` : 'NG';
    const mhz = decodeFrequency(arg);
    if (mhz === null) return 'ERR';
    // Coverage of the BCT8 is [UNK] (§6); the simulator uses the recalled BeaRTracker bands.
    const bands: [number, number][] = [
      [25, 54],
      [108, 174],
      [406, 512],
      [806, 956],
    ];
    if (!bands.some(([lo, hi]) => mhz >= lo && mhz <= hi)) return 'NG';
    this.endCarrier(true);
    this.mode = 'vfo';
    this.vfoMHz = mhz;
    return 'OK';
  }

  private answerKey(line: string): string {
    const m = /^KEY(\d{2})(H| \d)?$/.exec(line);
    if (!m) return 'ERR';
    // §5.2 family codes: 00 scan, 01 manual, 07 hold/resume, 09 search.
    switch (m[1]) {
      case '00':
        this.mode = 'scan';
        this.resumeAt = 0;
        break;
      case '01':
        this.mode = 'manual';
        break;
      case '07':
        this.mode = this.mode === 'hold' ? 'scan' : 'hold';
        break;
      case '09':
        this.endCarrier(true);
        this.mode = 'search';
        this.vfoMHz = 851;
        break;
    }
    return 'OK';
  }

  private answerMute(arg: string): string {
    if (arg === '') return `MU${this.mute}`;
    if (arg !== 'A' && arg !== 'N' && arg !== 'F') return 'ERR';
    this.mute = arg;
    return 'OK';
  }

  private answerBanks(arg: string): string {
    if (arg !== '' && !/^ [A-E]{1,5}$/.test(arg)) return 'ERR';
    if (arg !== '') this.banks = new Set(arg.trim());
    return `SB ${[...BANK_LETTERS].filter((b) => this.banks.has(b)).join('')}`;
  }

  private answerLockout(arg: string): string {
    if (arg !== 'N' && arg !== 'F') return 'ERR';
    // §3.2 LO: manual or scan-stop modes only.
    const stopped =
      this.mode === 'hold' || this.mode === 'manual' || (this.mode === 'scan' && this.carrier);
    const ch = this.memory[this.channel - 1];
    if (!stopped || !ch || ch.frequencyMHz === 0) return 'NG';
    ch.lockout = arg === 'N';
    if (ch.lockout && this.mode === 'scan') this.endCarrier(true);
    return 'OK';
  }

  private channelArg(s: string): number | null {
    if (!/^\d{3}$/.test(s)) return null;
    const n = Number(s);
    return n >= 1 && n <= CHANNEL_COUNT ? n : null;
  }

  private gotoManual(ch: number): void {
    if (ch !== this.channel) this.endCarrier(true);
    this.channel = ch;
    this.mode = 'manual';
  }

  private record(ch: number): string {
    const c = this.memory[ch - 1] ?? emptyChannel();
    return formatChannelRecord({ channel: ch, ...c, record: false, tone: 0 });
  }

  private currentMHz(): number {
    if (this.mode === 'vfo' || this.mode === 'search') return this.vfoMHz;
    return this.memory[this.channel - 1]?.frequencyMHz ?? 0;
  }

  // ---- output ----

  private reply(text: string): void {
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

  private garble(text: string): string {
    const chars = [...text];
    const n = 1 + Math.floor(this.random() * 3);
    for (let i = 0; i < n; i++) {
      const at = Math.floor(this.random() * (chars.length + 1));
      chars.splice(at, 1, String.fromCharCode(0x21 + Math.floor(this.random() * 0x5e)));
    }
    return chars.join('');
  }

  private emit(line: string): void {
    for (const fn of [...this.outputs]) fn(line);
  }

  // ---- the air: scanning and transmissions ----

  private scheduleTick(): void {
    const step = this.opts.stepMs ?? 100;
    this.cancelTick = this.clock.setTimer(() => {
      this.tick();
      this.scheduleTick();
    }, step);
  }

  private tick(): void {
    const now = this.clock.now();
    if (this.carrier) {
      if (now >= this.carrier.endsAt) this.endCarrier(true);
      return;
    }
    if (now < this.resumeAt) return;
    if (this.mode === 'scan') this.advance();
    if (this.mode === 'search')
      this.vfoMHz = 851 + ((Math.round((this.vfoMHz - 851) * 80) + 1) % 1440) / 80;
    if (
      this.mode !== 'search' &&
      this.currentMHz() > 0 &&
      this.random() < this.behaviour.activity
    ) {
      const [lo, hi] = this.opts.transmissionMs ?? [1000, 5000];
      this.beginCarrier(lo + Math.floor(this.random() * (hi - lo)));
    }
  }

  private advance(): void {
    for (let i = 1; i <= CHANNEL_COUNT; i++) {
      const ch = ((this.channel - 1 + i) % CHANNEL_COUNT) + 1;
      const c = this.memory[ch - 1];
      const letter = BANK_LETTERS[bankOfChannel(ch) - 1] ?? '';
      if (c && c.frequencyMHz > 0 && !c.lockout && this.banks.has(letter)) {
        this.channel = ch;
        return;
      }
    }
  }

  private beginCarrier(durationMs: number, talkgroup?: string): void {
    const mem =
      this.mode === 'vfo' || this.mode === 'search' ? null : this.memory[this.channel - 1];
    const trunk = mem?.trunk ?? false;
    const tg =
      talkgroup ??
      (trunk ? SIM_TALKGROUPS[Math.floor(this.random() * SIM_TALKGROUPS.length)] : undefined);
    this.carrier = {
      channel: mem ? this.channel : null,
      frequencyMHz: this.currentMHz(),
      talkgroup: tg ?? null,
      endsAt: this.clock.now() + durationMs,
    };
    if (this.flags.get('QU')) this.unsolicited('+');
    if (this.carrier.talkgroup !== null) this.idLine('S', this.carrier);
  }

  private endCarrier(notify: boolean): void {
    const c = this.carrier;
    if (!c) return;
    this.carrier = null;
    if (!notify) return;
    if (c.talkgroup !== null) this.idLine('E', c);
    if (this.flags.get('QU')) this.unsolicited('-');
    const mem = c.channel ? this.memory[c.channel - 1] : undefined;
    if (this.mode === 'scan' && mem?.delay) this.resumeAt = this.clock.now() + DELAY_MS;
  }

  private idLine(phase: 'S' | 'E', c: Carrier): void {
    if (!this.flags.get('ID') || c.talkgroup === null) return;
    const tg = /^\d+$/.test(c.talkgroup) ? c.talkgroup.padStart(6, '0') : c.talkgroup;
    const freq = (this.opts.idFrequencyToken ?? true) ? ` F${encodeFrequency(c.frequencyMHz)}` : '';
    this.unsolicited(`ID ${phase} ${tg}${freq}`);
  }

  private unsolicited(line: string): void {
    if (this.remote) this.emit(line);
  }
}
