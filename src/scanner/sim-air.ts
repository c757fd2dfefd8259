// src/scanner/sim-air.ts: SimAir: the simulated air: scan steps, random and scripted transmissions, and the squelch and ID reports they send.
import type { Clock } from '../clock.js';
import { BANK_LETTERS, CHANNEL_COUNT, bankOfChannel, encodeFrequency } from './protocol.js';
import { SIM_TALKGROUPS } from './sim-memory.js';
import { currentMHz, type Carrier, type SimRadio } from './sim-radio.js';
import { scriptedAirAt, type SimScript } from './sim-script.js';

/** Channel delay after a transmission ends on a channel with delay on (ms). */
const DELAY_MS = 2000;

/** The SimulatorOptions the air follows. */
export interface AirOptions {
  /** Emit the 4th token (frequency) in ID lines (default true). */
  idFrequencyToken?: boolean;
  /** Dwell per channel while scanning, ms (default 100). */
  stepMs?: number;
  /** Transmission length range in ms (default 1000-5000). */
  transmissionMs?: [number, number];
}

/** Moves the radio along the air and opens and closes its squelch. */
export class SimAir {
  private cancelTick: (() => void) | null = null;
  private script: SimScript | null = null;
  private cancelScript: (() => void) | null = null;

  constructor(
    private readonly radio: SimRadio,
    private readonly clock: Clock,
    private readonly random: () => number,
    /** Chance per scan step that the channel is busy; read at every step. */
    private readonly behaviour: { activity: number },
    private readonly opts: AirOptions,
    /** Sends a line now. */
    private readonly emit: (line: string) => void,
  ) {}

  /** Starts the scan timer. */
  start(): void {
    this.scheduleTick();
  }

  /** Stops the scan timer and the script. */
  close(): void {
    this.cancelScript?.();
    this.cancelScript = null;
    this.cancelTick?.();
    this.cancelTick = null;
  }

  /** Follows a script from now on (its channels are already programmed). */
  follow(script: SimScript): void {
    this.script = script;
    this.cancelScript?.();
    this.scriptStep();
  }

  /** Starts a transmission on the current channel or VFO frequency. */
  beginCarrier(durationMs: number, talkgroup?: string): void {
    const r = this.radio;
    const mem = r.mode === 'vfo' || r.mode === 'search' ? null : r.memory[r.channel - 1];
    const trunk = mem?.trunk ?? false;
    const tg =
      talkgroup ??
      (trunk ? SIM_TALKGROUPS[Math.floor(this.random() * SIM_TALKGROUPS.length)] : undefined);
    r.carrier = {
      channel: mem ? r.channel : null,
      frequencyMHz: currentMHz(r),
      talkgroup: tg ?? null,
      endsAt: this.clock.now() + durationMs,
    };
    if (r.flags.get('QU')) this.unsolicited('+');
    if (r.carrier.talkgroup !== null) this.idLine('S', r.carrier);
  }

  /** Ends the transmission, if any; with notify, sends its end reports and starts the channel delay. */
  endCarrier(notify: boolean): void {
    const r = this.radio;
    const c = r.carrier;
    if (!c) return;
    r.carrier = null;
    if (!notify) return;
    if (c.talkgroup !== null) this.idLine('E', c);
    if (r.flags.get('QU')) this.unsolicited('-');
    const mem = c.channel ? r.memory[c.channel - 1] : undefined;
    if (r.mode === 'scan' && mem?.delay) r.resumeAt = this.clock.now() + DELAY_MS;
  }

  private scriptStep(): void {
    this.cancelScript = null;
    const script = this.script;
    if (!script) return;
    const r = this.radio;
    const now = this.clock.now();
    const air = scriptedAirAt(script, now);
    const tx = air.current;
    if (tx && r.carrier?.endsAt !== air.endsAtMs) {
      if (r.mode === 'scan') r.channel = tx.channel;
      const tuned = r.mode === 'scan' || r.channel === tx.channel;
      if (tuned && (r.mode === 'scan' || r.mode === 'hold' || r.mode === 'manual')) {
        this.endCarrier(true);
        this.beginCarrier(air.endsAtMs - now, tx.talkgroup ?? undefined);
      }
    } else if (!tx && r.carrier) this.endCarrier(true);
    this.cancelScript = this.clock.setTimer(
      () => this.scriptStep(),
      Math.max(1, air.nextChangeMs - now),
    );
  }

  private scheduleTick(): void {
    const step = this.opts.stepMs ?? 100;
    this.cancelTick = this.clock.setTimer(() => {
      this.tick();
      this.scheduleTick();
    }, step);
  }

  private tick(): void {
    const r = this.radio;
    const now = this.clock.now();
    if (r.carrier) {
      if (now >= r.carrier.endsAt) this.endCarrier(true);
      return;
    }
    if (now < r.resumeAt) return;
    if (r.mode === 'scan') this.advance();
    if (r.mode === 'search') r.vfoMHz = 851 + ((Math.round((r.vfoMHz - 851) * 80) + 1) % 1440) / 80;
    if (r.mode !== 'search' && currentMHz(r) > 0 && this.random() < this.behaviour.activity) {
      const [lo, hi] = this.opts.transmissionMs ?? [1000, 5000];
      this.beginCarrier(lo + Math.floor(this.random() * (hi - lo)));
    }
  }

  /** Scanning: the next programmed, unlocked channel in an enabled bank. */
  private advance(): void {
    const r = this.radio;
    for (let i = 1; i <= CHANNEL_COUNT; i++) {
      const ch = ((r.channel - 1 + i) % CHANNEL_COUNT) + 1;
      const c = r.memory[ch - 1];
      const letter = BANK_LETTERS[bankOfChannel(ch) - 1] ?? '';
      if (c && c.frequencyMHz > 0 && !c.lockout && r.banks.has(letter)) {
        r.channel = ch;
        return;
      }
    }
  }

  private idLine(phase: 'S' | 'E', c: Carrier): void {
    if (!this.radio.flags.get('ID') || c.talkgroup === null) return;
    const tg = /^\d+$/.test(c.talkgroup) ? c.talkgroup.padStart(6, '0') : c.talkgroup;
    const freq = (this.opts.idFrequencyToken ?? true) ? ` F${encodeFrequency(c.frequencyMHz)}` : '';
    this.unsolicited(`ID ${phase} ${tg}${freq}`);
  }

  private unsolicited(line: string): void {
    if (this.radio.remote) this.emit(line);
  }
}
