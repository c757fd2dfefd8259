// src/scanner/sim-commands.ts: SimCommands: the simulated BCT8's answer to each command line (§7.5), and what the command changes.
import {
  CHANNEL_COUNT,
  decodeFrequency,
  encodeFrequency,
  formatChannelRecord,
} from './protocol.js';
import { emptyChannel } from './sim-memory.js';
import {
  currentMHz,
  enabledBanks,
  stoppedOnChannel,
  type SimMode,
  type SimRadio,
} from './sim-radio.js';

const DEFAULT_MODE_CODES: Record<SimMode, number> = {
  scan: 0,
  manual: 1,
  search: 2,
  hold: 3,
  vfo: 8,
};

/** The SimulatorOptions that change answers (unconfirmed BCT8 behaviour, §7). */
export interface AnswerOptions {
  firmware?: string;
  rfQuery?: boolean;
  signalQueries?: boolean;
  modeQuery?: boolean;
  maSwitchesToManual?: boolean;
  modeCodes?: Partial<Record<SimMode, number>>;
}

/** Answers command lines by reading and changing the radio. */
export class SimCommands {
  private readonly modeCodes: Record<SimMode, number>;

  constructor(
    private readonly radio: SimRadio,
    private readonly opts: AnswerOptions,
    /** The air, to end a transmission when a command retunes. */
    private readonly air: { endCarrier(notify: boolean): void },
  ) {
    this.modeCodes = { ...DEFAULT_MODE_CODES, ...opts.modeCodes };
  }

  /** The reply line to one command line. */
  answer(line: string): string {
    if (line !== line.toUpperCase()) return 'ERR'; // §1: lower case gives ERR
    const two = line.slice(0, 2);
    const arg = line.slice(2);
    switch (two) {
      case 'SI':
        return arg === '' ? `SI BCT8,0000000000,${this.opts.firmware ?? '105'}` : 'ERR';
      case 'SQ':
        return arg === '' ? (this.radio.carrier ? '+' : '-') : 'ERR';
      case 'MA':
        return this.answerMA(arg);
      case 'PM':
        return this.answerPM(arg);
      case 'RF':
        return this.answerRF(arg);
      case 'MD':
        if (!(this.opts.modeQuery ?? true)) return 'ERR';
        return arg === '' ? `MD${String(this.modeCodes[this.radio.mode]).padStart(2, '0')}` : 'ERR';
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
        return `${two === 'SG' ? 'S' : 'W'}${this.radio.carrier ? '150' : '040'} F${encodeFrequency(currentMHz(this.radio))}`;
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
    if (arg === '') return `${name}${this.radio.flags.get(name) ? 'N' : 'F'}`;
    if (arg !== 'N' && arg !== 'F') return 'ERR';
    this.radio.flags.set(name, arg === 'N');
    return 'OK';
  }

  private answerMA(arg: string): string {
    if (arg === '') {
      // §3.1: NG unless stopped on a channel (short openings give NG on a BCT8).
      if (!stoppedOnChannel(this.radio)) return 'NG';
      if (this.opts.maSwitchesToManual) this.radio.mode = 'manual';
      return this.record(this.radio.channel);
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
    const cur = this.radio.memory[ch - 1] ?? emptyChannel();
    this.radio.memory[ch - 1] =
      mhz === 0
        ? emptyChannel()
        : { ...cur, frequencyMHz: mhz, trunk: m[2] === 'T', lockout: false };
    this.gotoManual(ch); // family: a PM write switches to manual on that channel (§3.1)
    return this.record(ch);
  }

  private answerRF(arg: string): string {
    if (arg === '')
      return this.opts.rfQuery ? `RF${encodeFrequency(currentMHz(this.radio))}` : 'NG';
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
    this.air.endCarrier(true);
    this.radio.mode = 'vfo';
    this.radio.vfoMHz = mhz;
    return 'OK';
  }

  private answerKey(line: string): string {
    const m = /^KEY(\d{2})(H| \d)?$/.exec(line);
    if (!m) return 'ERR';
    // §5.2 family codes: 00 scan, 01 manual, 07 hold/resume, 09 search.
    switch (m[1]) {
      case '00':
        this.radio.mode = 'scan';
        this.radio.resumeAt = 0;
        break;
      case '01':
        this.radio.mode = 'manual';
        break;
      case '07':
        this.radio.mode = this.radio.mode === 'hold' ? 'scan' : 'hold';
        break;
      case '09':
        this.air.endCarrier(true);
        this.radio.mode = 'search';
        this.radio.vfoMHz = 851;
        break;
    }
    return 'OK';
  }

  private answerMute(arg: string): string {
    if (arg === '') return `MU${this.radio.mute}`;
    if (arg !== 'A' && arg !== 'N' && arg !== 'F') return 'ERR';
    this.radio.mute = arg;
    return 'OK';
  }

  private answerBanks(arg: string): string {
    if (arg !== '' && !/^ [A-E]{1,5}$/.test(arg)) return 'ERR';
    if (arg !== '') this.radio.banks = new Set(arg.trim());
    return `SB ${enabledBanks(this.radio)}`;
  }

  private answerLockout(arg: string): string {
    if (arg !== 'N' && arg !== 'F') return 'ERR';
    // §3.2 LO: manual or scan-stop modes only.
    const stopped = stoppedOnChannel(this.radio);
    const ch = this.radio.memory[this.radio.channel - 1];
    if (!stopped || !ch || ch.frequencyMHz === 0) return 'NG';
    ch.lockout = arg === 'N';
    if (ch.lockout && this.radio.mode === 'scan') this.air.endCarrier(true);
    return 'OK';
  }

  private channelArg(s: string): number | null {
    if (!/^\d{3}$/.test(s)) return null;
    const n = Number(s);
    return n >= 1 && n <= CHANNEL_COUNT ? n : null;
  }

  private gotoManual(ch: number): void {
    if (ch !== this.radio.channel) this.air.endCarrier(true);
    this.radio.channel = ch;
    this.radio.mode = 'manual';
  }

  private record(ch: number): string {
    const c = this.radio.memory[ch - 1] ?? emptyChannel();
    return formatChannelRecord({ channel: ch, ...c, record: false, tone: 0 });
  }
}
