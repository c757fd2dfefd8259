// src/scanner/actions.ts: validation of control requests into typed ScannerActions, before anything reaches the line.
import { BadRequestError } from '../errors.js';
import type { ScannerProfile } from './profile.js';
import { isTunable } from './profile.js';
import {
  EncodeError,
  encodeFrequency,
  isChannelNumber,
  normaliseBanks,
  type MuteMode,
} from './protocol.js';

/** Every control action the API accepts. Factory reset (AC) is deliberately absent (§3.2). */
export type ScannerAction =
  | { action: 'scan' }
  | { action: 'hold' }
  | { action: 'resume' }
  | { action: 'channel'; channel: number }
  | { action: 'tune'; frequencyMHz: number }
  | { action: 'mute'; mode: MuteMode }
  | { action: 'lockout' }
  | { action: 'unlock' }
  | { action: 'banks'; banks: string }
  | { action: 'priority'; on: boolean }
  | { action: 'write-channel'; channel: number; frequencyMHz: number; trunk: boolean };

/** The action names routed as POST /api/scanner/<name>. */
export const ACTION_NAMES = [
  'scan',
  'hold',
  'resume',
  'channel',
  'tune',
  'mute',
  'lockout',
  'unlock',
  'banks',
  'priority',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** True for a routable action name. */
export function isActionName(s: string): s is ActionName {
  return (ACTION_NAMES as readonly string[]).includes(s);
}

type Body = Record<string, unknown>;

function bodyOf(raw: unknown): Body {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new BadRequestError('body must be a JSON object');
  return raw as Body;
}

function onlyKeys(body: Body, allowed: string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length) throw new BadRequestError(`unexpected field(s): ${extra.join(', ')}`);
}

/** Validates a channel number: a JSON number, or with fromUrl a string of 1-3 digits. */
export function channelOf(v: unknown, fromUrl = false): number {
  const n = fromUrl && typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : v;
  if (!isChannelNumber(n)) throw new BadRequestError('channel must be an integer from 1 to 250');
  return n;
}

function frequencyOf(v: unknown, profile: Pick<ScannerProfile, 'tuneRangesMHz'>): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new BadRequestError('frequencyMHz must be a number, e.g. 851.1625');
  }
  if (!isTunable(profile, v)) {
    const ranges = profile.tuneRangesMHz.map(([a, b]) => `${a}-${b}`).join(', ');
    throw new BadRequestError(`frequencyMHz must lie in ${ranges} MHz`);
  }
  encodeFrequency(v); // range-checked above; this cannot throw for tunable values
  return v;
}

/** Validates POST /api/scanner/<name> with its JSON body; throws BadRequestError (400). */
export function parseAction(
  name: ActionName,
  raw: unknown,
  profile: ScannerProfile,
): ScannerAction {
  const body = bodyOf(raw);
  switch (name) {
    case 'scan':
    case 'hold':
    case 'resume':
    case 'lockout':
    case 'unlock':
      onlyKeys(body, []);
      return { action: name };
    case 'channel':
      onlyKeys(body, ['channel']);
      return { action: 'channel', channel: channelOf(body.channel) };
    case 'tune':
      onlyKeys(body, ['frequencyMHz']);
      return { action: 'tune', frequencyMHz: frequencyOf(body.frequencyMHz, profile) };
    case 'mute': {
      onlyKeys(body, ['mode']);
      const mode = body.mode;
      if (mode !== 'auto' && mode !== 'on' && mode !== 'off') {
        throw new BadRequestError('mode must be "auto", "on" or "off"');
      }
      return { action: 'mute', mode };
    }
    case 'banks': {
      onlyKeys(body, ['banks']);
      if (typeof body.banks !== 'string' || body.banks.length > 16) {
        throw new BadRequestError('banks must be a string of the letters A-E, e.g. "ABCDE"');
      }
      try {
        return { action: 'banks', banks: normaliseBanks(body.banks) };
      } catch (e) {
        throw new BadRequestError(e instanceof EncodeError ? e.message : 'invalid banks');
      }
    }
    case 'priority':
      onlyKeys(body, ['on']);
      if (typeof body.on !== 'boolean') throw new BadRequestError('on must be true or false');
      return { action: 'priority', on: body.on };
  }
}

/** Validates PUT /api/scanner/channels/:n: `{ frequencyMHz, trunk? }`; 0 MHz clears the channel (§2.3). */
export function parseChannelWrite(
  channelParam: unknown,
  raw: unknown,
  profile: ScannerProfile,
): ScannerAction {
  const channel = channelOf(channelParam, true);
  const body = bodyOf(raw);
  onlyKeys(body, ['frequencyMHz', 'trunk']);
  const trunk = body.trunk ?? false;
  if (typeof trunk !== 'boolean') throw new BadRequestError('trunk must be true or false');
  const frequencyMHz = body.frequencyMHz === 0 ? 0 : frequencyOf(body.frequencyMHz, profile);
  return { action: 'write-channel', channel, frequencyMHz, trunk };
}
