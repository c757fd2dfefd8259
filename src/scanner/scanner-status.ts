// src/scanner/scanner-status.ts: the ScannerStatus model (GET /api/scanner) and pure helpers that derive its fields.
import type { ScannerMode, ScannerProfile } from './profile.js';

/** Kind of trunked system, inferred from the talkgroup text (§2.5 of the protocol reference). */
export type TrunkType = 'motorola-type2' | 'motorola-type1' | 'edacs-afs' | 'unknown';

/** The trunked system a talkgroup belongs to, when trunking. */
export interface TrunkSystem {
  type: TrunkType;
  /** Bank holding the trunk frequencies, when known from the channel record. */
  bank: number | null;
}

/** Link state: no port, port open but the scanner silent, or answering. */
export type LinkState = 'closed' | 'probing' | 'ready';

/** The JSON of GET /api/scanner. */
export interface ScannerStatus {
  /** True while the scanner answers commands. */
  connected: boolean;
  link: LinkState;
  /** Why the scanner is not connected (null when connected). */
  reason: string | null;
  /** The port or simulator in use. */
  port: string;
  model: string | null;
  /** Remote-command firmware, e.g. "1.05". */
  firmware: string | null;
  frequencyMHz: number | null;
  channel: number | null;
  bank: number | null;
  talkgroup: string | null;
  trunkSystem: TrunkSystem | null;
  squelchOpen: boolean;
  /** 'unknown' when the MD number is not in the mode table; modeRaw then holds it. */
  mode: ScannerMode | 'unknown';
  modeRaw: number | null;
  /** Where mode came from: the scanner's MD reply, or the last command sent (MD unsupported). */
  modeSource: 'scanner' | 'command' | null;
  /** ISO time of the last squelch change or talkgroup ID line. */
  lastActivity: string | null;
  updatedAt: string;
}

/** The status before anything is known. */
export function initialStatus(port: string, nowMs: number): ScannerStatus {
  return {
    connected: false,
    link: 'closed',
    reason: 'starting',
    port,
    model: null,
    firmware: null,
    frequencyMHz: null,
    channel: null,
    bank: null,
    talkgroup: null,
    trunkSystem: null,
    squelchOpen: false,
    mode: 'unknown',
    modeRaw: null,
    modeSource: null,
    lastActivity: null,
    updatedAt: new Date(nowMs).toISOString(),
  };
}

/** Maps an MD number through the (configurable) table (§4.5). */
export function modeFromRaw(
  profile: Pick<ScannerProfile, 'modeTable'>,
  raw: number,
): ScannerMode | 'unknown' {
  return profile.modeTable[String(raw)] ?? 'unknown';
}

/** Infers the trunk type from talkgroup text (§2.5): decimal Type II, `bff-ss` Type I, `aa-ffs` EDACS. */
export function trunkTypeOf(talkgroup: string): TrunkType {
  if (/^\d+$/.test(talkgroup)) return 'motorola-type2';
  if (/^\d{3}-\d{2}$/.test(talkgroup)) return 'motorola-type1';
  if (/^\d{2}-\d{3}$/.test(talkgroup)) return 'edacs-afs';
  return 'unknown';
}

/** True when two statuses differ in anything but updatedAt. */
export function statusChanged(a: ScannerStatus, b: ScannerStatus): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) !== JSON.stringify({ ...b, updatedAt: '' });
}
