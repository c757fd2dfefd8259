// src/scanner/sim-radio.ts: SimRadio, the simulated BCT8's mutable state (memory, mode, position, report flags, carrier), shared by its commands and its air.
import { BANK_LETTERS } from './protocol.js';
import type { SimChannel } from './sim-memory.js';

/** The simulator's own modes; 'vfo' is the state after RF tuning (§3.1 RF). */
export type SimMode = 'scan' | 'hold' | 'manual' | 'vfo' | 'search';

/** A transmission in progress on the simulated air. */
export interface Carrier {
  channel: number | null;
  frequencyMHz: number;
  talkgroup: string | null;
  endsAt: number;
}

/** Everything the simulated scanner is; its parts read and change it in place. */
export interface SimRadio {
  readonly memory: SimChannel[];
  /** Remote mode (§1): answers commands and sends reports only while on. */
  remote: boolean;
  mode: SimMode;
  channel: number;
  vfoMHz: number;
  carrier: Carrier | null;
  /** Scanning waits until this time (the channel delay after a transmission). */
  resumeAt: number;
  /** ID, QU, RI and PR switches (§3.1). */
  readonly flags: Map<string, boolean>;
  mute: 'A' | 'N' | 'F';
  banks: Set<string>;
}

/** A radio scanning from channel 1 with every report off and every bank on. */
export function newRadio(memory: SimChannel[], remote: boolean): SimRadio {
  return {
    memory,
    remote,
    mode: 'scan',
    channel: 1,
    vfoMHz: 0,
    carrier: null,
    resumeAt: 0,
    flags: new Map<string, boolean>([
      ['ID', false],
      ['QU', false],
      ['RI', false],
      ['PR', false],
    ]),
    mute: 'A',
    banks: new Set(BANK_LETTERS),
  };
}

/** The frequency the radio listens on: the VFO after RF or search, else the channel's. */
export function currentMHz(r: SimRadio): number {
  if (r.mode === 'vfo' || r.mode === 'search') return r.vfoMHz;
  return r.memory[r.channel - 1]?.frequencyMHz ?? 0;
}

/** Stopped on a channel: held, manual, or scanning but stopped on a transmission (§3.1 MA, §3.2 LO). */
export function stoppedOnChannel(r: SimRadio): boolean {
  return r.mode === 'hold' || r.mode === 'manual' || (r.mode === 'scan' && r.carrier !== null);
}

/** The enabled banks as SB lists them, in bank order. */
export function enabledBanks(r: SimRadio): string {
  return [...BANK_LETTERS].filter((b) => r.banks.has(b)).join('');
}
