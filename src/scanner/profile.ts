// src/scanner/profile.ts: the protocol facts that are not confirmed on a BCT8, as one validated, overridable profile.
// Each default cites the reference section (shared/reference/bct8-protocol.md) and its confidence mark.

/** Operating modes the status reports (§4.5). */
export type ScannerMode = 'scan' | 'hold' | 'manual' | 'search';
const MODES: readonly ScannerMode[] = ['scan', 'hold', 'manual', 'search'];

/** Everything about the BCT8 the reference marks [FAM], [INF] or [UNK]; all overridable. */
export interface ScannerProfile {
  /** KEY codes for the actions (§5.2 family codes; BCT8 codes are [UNK]). */
  keys: { scan: string; hold: string; resume: string };
  /** MD number → mode (§4.5, §5.3: the BCT8 table is [UNK]). Unlisted numbers are reported raw. */
  modeTable: Record<string, ScannerMode>;
  /** Poll MD at all (§3.2 [FAM]). Switched off automatically when the scanner answers ERR. */
  pollMode: boolean;
  /** Poll MD on every Nth squelch poll (default 4, about once a second). */
  modePollEvery: number;
  /** Read the record with bare MA on squelch open (§4.3, [BCT8: S1]); false reads nothing. */
  readChannelOnOpen: boolean;
  /** Send the scan key after a bare MA, for scanners where MA switches to manual (§3.1 [FAM] side effect). */
  rescanAfterChannelRead: boolean;
  /** Turn on trunk ID reports (IDN) at start (§4.4). */
  trunkIds: boolean;
  /** Send a bare CR after opening to flush a half-received command (§1 [FAM]; its reply is [UNK]). */
  flushOnOpen: boolean;
  /** Tunable ranges in MHz; BCT8 coverage is [UNK] (§6), so the default is the family envelope. */
  tuneRangesMHz: [number, number][];
  /** Reply timeout per attempt (§1: tools use 0.2-1.5 s; S1 uses 0.5 s). */
  commandTimeoutMs: number;
  /** Extra attempts after a timeout or FER/ORER (§8: 1-3 retries). */
  retries: number;
  /** Pause between SI probes while the scanner is silent (§6: keep re-probing). */
  probeIntervalMs: number;
  /** Pause before reopening a serial port that vanished or failed to open. */
  reopenMs: number;
}

/** The defaults; see each field. */
export const DEFAULT_PROFILE: Readonly<ScannerProfile> = Object.freeze<ScannerProfile>({
  keys: { scan: '00', hold: '07', resume: '00' },
  // Family: 00 scan, 01 manual, 02 limit search, 03 search hold (§5.3). 03 reads as 'hold' here.
  modeTable: { '0': 'scan', '1': 'manual', '2': 'search', '3': 'hold' },
  pollMode: true,
  modePollEvery: 4,
  readChannelOnOpen: true,
  rescanAfterChannelRead: false,
  trunkIds: true,
  flushOnOpen: true,
  tuneRangesMHz: [[25, 1300]],
  commandTimeoutMs: 600,
  retries: 2,
  probeIntervalMs: 2000,
  reopenMs: 1000,
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intIn(v: unknown, min: number, max: number, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  }
  return v;
}

function boolOf(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`${name} must be true or false`);
  return v;
}

function keyCode(v: unknown, name: string): string {
  if (typeof v !== 'string' || !/^\d{2}H?$/.test(v))
    throw new Error(`${name} must be like "07" or "07H"`);
  return v;
}

function modeTableOf(v: unknown): Record<string, ScannerMode> {
  if (!isRecord(v)) throw new Error('modeTable must be an object like {"0":"scan"}');
  const out: Record<string, ScannerMode> = {};
  for (const [k, m] of Object.entries(v)) {
    if (!/^\d{1,2}$/.test(k) || !MODES.includes(m as ScannerMode)) {
      throw new Error(`modeTable entry ${k}: keys are 0-99, values one of ${MODES.join(', ')}`);
    }
    out[String(Number(k))] = m as ScannerMode;
  }
  return out;
}

function rangesOf(v: unknown): [number, number][] {
  const ok =
    Array.isArray(v) &&
    v.length > 0 &&
    v.every(
      (r) =>
        Array.isArray(r) &&
        r.length === 2 &&
        typeof r[0] === 'number' &&
        typeof r[1] === 'number' &&
        r[0] > 0 &&
        r[0] < r[1] &&
        r[1] < 10000,
    );
  if (!ok) throw new Error('tuneRangesMHz must be a list of [lowMHz, highMHz] pairs');
  return (v as [number, number][]).map(([a, b]) => [a, b]);
}

/** Merges overrides (e.g. parsed JSON) onto the defaults; throws Error naming the bad field. */
export function resolveProfile(overrides: unknown = {}): ScannerProfile {
  if (!isRecord(overrides)) throw new Error('scanner profile must be a JSON object');
  const p: ScannerProfile = structuredClone(DEFAULT_PROFILE);
  for (const [k, v] of Object.entries(overrides)) {
    switch (k) {
      case 'keys': {
        if (!isRecord(v)) throw new Error('keys must be an object');
        for (const [name, code] of Object.entries(v)) {
          if (name !== 'scan' && name !== 'hold' && name !== 'resume') {
            throw new Error(`keys.${name}: known keys are scan, hold, resume`);
          }
          p.keys[name] = keyCode(code, `keys.${name}`);
        }
        break;
      }
      case 'modeTable':
        p.modeTable = modeTableOf(v);
        break;
      case 'pollMode':
      case 'readChannelOnOpen':
      case 'rescanAfterChannelRead':
      case 'trunkIds':
      case 'flushOnOpen':
        p[k] = boolOf(v, k);
        break;
      case 'modePollEvery':
        p.modePollEvery = intIn(v, 1, 1000, k);
        break;
      case 'tuneRangesMHz':
        p.tuneRangesMHz = rangesOf(v);
        break;
      case 'commandTimeoutMs':
        p.commandTimeoutMs = intIn(v, 50, 10000, k);
        break;
      case 'retries':
        p.retries = intIn(v, 0, 5, k);
        break;
      case 'probeIntervalMs':
      case 'reopenMs':
        p[k] = intIn(v, 50, 600000, k);
        break;
      default:
        throw new Error(`unknown scanner profile key ${JSON.stringify(k)}`);
    }
  }
  return p;
}

/** True when mhz lies in one of the profile's tunable ranges. */
export function isTunable(profile: Pick<ScannerProfile, 'tuneRangesMHz'>, mhz: number): boolean {
  return profile.tuneRangesMHz.some(([lo, hi]) => mhz >= lo && mhz <= hi);
}
