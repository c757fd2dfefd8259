// src/scanner/sim-memory.ts: the simulator's 250-channel memory and a seeded random program for it.
import { CHANNEL_COUNT } from './protocol.js';

/** One memory channel as the simulator stores it (§2.4 fields). */
export interface SimChannel {
  /** MHz; 0 = empty. */
  frequencyMHz: number;
  trunk: boolean;
  delay: boolean;
  lockout: boolean;
  attenuator: boolean;
}

/** Plausible bands per bank: VHF high, UHF, air, 800 conventional, and a trunked 800 system. */
const BANK_PLAN: { lo: number; hi: number; stepMHz: number; trunk: boolean }[] = [
  { lo: 150.8, hi: 173.9, stepMHz: 0.0125, trunk: false },
  { lo: 453.0, hi: 469.9, stepMHz: 0.0125, trunk: false },
  { lo: 118.0, hi: 136.9, stepMHz: 0.025, trunk: false },
  { lo: 851.0, hi: 868.9, stepMHz: 0.0125, trunk: false },
  { lo: 851.0, hi: 859.9, stepMHz: 0.0125, trunk: true },
];

/** Talkgroups of the simulated Motorola Type II system (decimal, §2.5). */
export const SIM_TALKGROUPS = ['16048', '22000', '1808', '2416', '47504', '3120'];

/** An empty channel: reads back F00000000 with lockout on and delay off (§2.4 [FAM: S8]). */
export function emptyChannel(): SimChannel {
  return { frequencyMHz: 0, trunk: false, delay: false, lockout: true, attenuator: false };
}

/** Builds a memory where about 60% of each bank is programmed, the rest empty. */
export function randomProgram(random: () => number): SimChannel[] {
  const mem: SimChannel[] = [];
  for (let ch = 1; ch <= CHANNEL_COUNT; ch++) {
    const plan = BANK_PLAN[Math.floor((ch - 1) / 50)] ?? BANK_PLAN[0];
    if (!plan || random() >= 0.6) {
      mem.push(emptyChannel());
      continue;
    }
    const steps = Math.floor((plan.hi - plan.lo) / plan.stepMHz);
    const mhz = plan.lo + Math.floor(random() * steps) * plan.stepMHz;
    mem.push({
      frequencyMHz: Math.round(mhz * 10000) / 10000,
      trunk: plan.trunk,
      delay: random() < 0.5,
      lockout: false,
      attenuator: false,
    });
  }
  return mem;
}
