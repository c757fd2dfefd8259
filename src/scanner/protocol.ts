// src/scanner/protocol.ts: the pure BCT8 codec: frequency encoding, command encoding, reply classification.
// Section numbers (§) refer to shared/reference/bct8-protocol.md.

/** Number of memory channels on a BCT8: 250 in 5 banks of 50 (§6, [INF-strong]). */
export const CHANNEL_COUNT = 250;
/** Channels per bank; bank = ceil(channel / 50) (§4.3). */
export const CHANNELS_PER_BANK = 50;
/** Bank letters used by SB (§3.2 SB: BC780 uses letters; 5 banks on the BCT8 [INF]). */
export const BANK_LETTERS = 'ABCDE';

/** Raised when a value cannot be encoded; the message is fit for an HTTP 400 body. */
export class EncodeError extends Error {
  override name = 'EncodeError';
}

/** The bank (1-5) that holds a channel (1-250), per §4.3. */
export function bankOfChannel(channel: number): number {
  return Math.ceil(channel / CHANNELS_PER_BANK);
}

/** True for an integer channel number 1-250. */
export function isChannelNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= CHANNEL_COUNT;
}

/**
 * MHz → the 8-digit frequency code in 100 Hz units (§2.3). Finer values are truncated, as the
 * family does (446.00625 → 04460062). Throws EncodeError outside 0-9999.9999 MHz.
 */
export function encodeFrequency(mhz: number): string {
  if (!Number.isFinite(mhz) || mhz < 0 || mhz >= 10000) {
    throw new EncodeError('frequency must be a number from 0 to 9999.9999 MHz');
  }
  // Round to 1e-6 MHz first so 851.1625 (851.16249999…) does not lose its last digit to float error.
  const units = Math.floor(Math.round(mhz * 1e6) / 100);
  return String(units).padStart(8, '0');
}

/** The 8-digit code → MHz (§2.3: MHz = value / 10000). Returns null for anything but 8 digits. */
export function decodeFrequency(code: string): number | null {
  if (!/^\d{8}$/.test(code)) return null;
  return Number(code) / 10000;
}

/** Speaker setting of MU (§3.2): A = follows squelch, N = forced on, F = forced silent. */
export type MuteMode = 'auto' | 'on' | 'off';

/** Every command the controller may send. There is deliberately no factory reset (AC, §3.2). */
export type ScannerCommand =
  | { kind: 'identify' } // SI
  | { kind: 'squelch' } // SQ
  | { kind: 'current-channel' } // MA
  | { kind: 'goto-channel'; channel: number } // MAnnn
  | { kind: 'read-channel'; channel: number } // PMnnn
  | { kind: 'write-channel'; channel: number; frequencyMHz: number; trunk: boolean } // PMnnn[ T]ffffffff
  | { kind: 'tune'; frequencyMHz: number } // RFffffffff
  | { kind: 'mode' } // MD
  | { kind: 'key'; code: string } // KEYnn
  | { kind: 'flag'; name: FlagName; on: boolean } // IDN/IDF, QUN/QUF, ...
  | { kind: 'mute'; mode: MuteMode } // MUA/MUN/MUF
  | { kind: 'banks'; banks: string }; // SB ABCDE

/** On/off settings sent as XXN / XXF (§2.2). */
export type FlagName = 'ID' | 'QU' | 'RI' | 'PR' | 'LO';
const FLAG_NAMES: readonly FlagName[] = ['ID', 'QU', 'RI', 'PR', 'LO'];

function channel3(n: number): string {
  if (!isChannelNumber(n)) throw new EncodeError(`channel must be an integer from 1 to 250`);
  return String(n).padStart(3, '0');
}

/** Normalises a bank selection like "ace" or "A,C,E" to "ACE"; throws EncodeError otherwise. */
export function normaliseBanks(input: string): string {
  const letters = input.toUpperCase().replace(/[ ,]/g, '');
  if (letters.length === 0 || !/^[A-E]+$/.test(letters)) {
    throw new EncodeError('banks must be 1 to 5 of the letters A-E, e.g. "ABCDE"');
  }
  return [...BANK_LETTERS].filter((b) => letters.includes(b)).join('');
}

/**
 * Encodes a command as the text sent before the CR terminator (§1: upper case, no echo).
 * Every value is re-validated here, and the output is checked against a strict alphabet, so
 * no caller can smuggle a CR, LF or a second command onto the line.
 */
export function encodeCommand(cmd: ScannerCommand): string {
  const text = encodeUnchecked(cmd);
  if (!/^[A-Z0-9 ]{2,20}$/.test(text))
    throw new EncodeError(`refusing to send ${JSON.stringify(text)}`);
  return text;
}

function encodeUnchecked(cmd: ScannerCommand): string {
  switch (cmd.kind) {
    case 'identify':
      return 'SI';
    case 'squelch':
      return 'SQ';
    case 'current-channel':
      return 'MA';
    case 'goto-channel':
      return `MA${channel3(cmd.channel)}`;
    case 'read-channel':
      return `PM${channel3(cmd.channel)}`;
    case 'write-channel':
      // §3.1 PM write: "PMccc ffffffff", or "PMcccTffffffff" to mark a trunk frequency.
      return `PM${channel3(cmd.channel)}${cmd.trunk ? 'T' : ' '}${encodeFrequency(cmd.frequencyMHz)}`;
    case 'tune':
      if (cmd.frequencyMHz <= 0) throw new EncodeError('frequencyMHz must be above 0');
      return `RF${encodeFrequency(cmd.frequencyMHz)}`;
    case 'mode':
      return 'MD';
    case 'key':
      // §5.1: KEYnn, KEYnnH (hold), KEY02 d (digit).
      if (!/^\d{2}(H| \d)?$/.test(cmd.code))
        throw new EncodeError('key code must be NN, NNH or NN D');
      return `KEY${cmd.code}`;
    case 'flag':
      if (!FLAG_NAMES.includes(cmd.name)) throw new EncodeError('unknown setting');
      return `${cmd.name}${cmd.on ? 'N' : 'F'}`;
    case 'mute':
      return `MU${({ auto: 'A', on: 'N', off: 'F' } as const)[cmd.mode]}`;
    case 'banks':
      // §3.2 SB: "SB <letters>" (BC780 form; BCT8 [INF]).
      return `SB ${normaliseBanks(cmd.banks)}`;
  }
}

/** A memory record as returned by PM and MA (§2.4): `C038 F01249500 TF DF LF AF RF N000`. */
export interface ChannelRecord {
  channel: number;
  bank: number;
  /** MHz; 0 means the channel is empty. */
  frequencyMHz: number;
  trunk: boolean;
  delay: boolean;
  lockout: boolean;
  attenuator: boolean;
  record: boolean;
  /** Tone index (000 = none); BCT8 tone support is [UNK] (§2.4). */
  tone: number;
}

/** Parses a channel record line; null when the line is not one. Tolerates a missing tail. */
export function parseChannelRecord(line: string): ChannelRecord | null {
  const m = /^C(\d{3}) F(\d{8})((?: [TDLAR][NF])*)(?: N(\d{2,3}))?$/.exec(line.trim());
  if (!m) return null;
  const channel = Number(m[1]);
  const frequencyMHz = decodeFrequency(m[2] ?? '');
  if (!isChannelNumber(channel) || frequencyMHz === null) return null;
  const flags = new Map<string, boolean>();
  for (const tok of (m[3] ?? '').trim().split(' ').filter(Boolean)) {
    flags.set(tok[0] ?? '', tok[1] === 'N');
  }
  return {
    channel,
    bank: bankOfChannel(channel),
    frequencyMHz,
    trunk: flags.get('T') ?? false,
    delay: flags.get('D') ?? false,
    lockout: flags.get('L') ?? false,
    attenuator: flags.get('A') ?? false,
    record: flags.get('R') ?? false,
    tone: Number(m[4] ?? '0'),
  };
}

/** Formats a record exactly as the scanner sends it (§2.4); used by the simulator. */
export function formatChannelRecord(r: Omit<ChannelRecord, 'bank'>): string {
  const f = (b: boolean): string => (b ? 'N' : 'F');
  return (
    `C${channel3(r.channel)} F${encodeFrequency(r.frequencyMHz)} T${f(r.trunk)} D${f(r.delay)}` +
    ` L${f(r.lockout)} A${f(r.attenuator)} R${f(r.record)} N${String(r.tone).padStart(3, '0')}`
  );
}

/** One classified line from the scanner (§8 "Classify reply lines"). */
export type ScannerLine =
  | { type: 'ok' }
  | { type: 'ng' }
  | { type: 'err' }
  | { type: 'overrun'; text: string } // ORER / FER
  | { type: 'squelch'; open: boolean } // + / -
  | { type: 'id'; phase: 'start' | 'end'; talkgroup: string; frequencyMHz: number | null }
  | { type: 'priority'; active: boolean } // PST / PRT
  | { type: 'identity'; model: string; serial: string; firmware: string }
  | { type: 'record'; record: ChannelRecord }
  | { type: 'mode'; raw: number }
  | { type: 'flag'; name: string; value: string } // e.g. IDN, MUA, SB ABCDE
  | { type: 'other'; text: string };

/**
 * Talkgroup text as shown on the scanner (§2.5): Type II decimal (leading zeros dropped, as S2
 * does), Type I "bff-ss", EDACS "aa-ffs". Anything else is kept verbatim.
 */
function normaliseTalkgroup(t: string): string {
  return /^\d+$/.test(t) ? String(Number(t)) : t;
}

/** Classifies one line (CR already stripped). Pure; never throws. */
export function parseLine(raw: string): ScannerLine {
  const line = raw.replace(/[\r\n]/g, '').trim();
  switch (line) {
    case 'OK':
      return { type: 'ok' };
    case 'NG':
      return { type: 'ng' };
    case 'ERR':
      return { type: 'err' };
    case 'ORER':
    case 'FER':
      return { type: 'overrun', text: line };
    case '+':
      return { type: 'squelch', open: true };
    case '-':
      return { type: 'squelch', open: false };
    case 'PST':
      return { type: 'priority', active: true };
    case 'PRT':
      return { type: 'priority', active: false };
  }
  // §3.1 ID: "ID S <tgid>" (family, 3 tokens) or "ID S <tgid> Fffffffff" (BCT8 per S2, 4th [INF]).
  const id = /^ID ([SE]) ([0-9A-Za-z-]{1,12})(?: F?(\d{8}))?$/.exec(line);
  if (id) {
    return {
      type: 'id',
      phase: id[1] === 'S' ? 'start' : 'end',
      talkgroup: normaliseTalkgroup(id[2] ?? ''),
      frequencyMHz: id[3] ? decodeFrequency(id[3]) : null,
    };
  }
  // §3.1 SI: "SI BCT8,0000000000,105" (model may contain spaces/colons on siblings).
  const si = /^SI ([^,]{1,40}),(\d{1,12}),(\d{1,4})$/.exec(line);
  if (si)
    return { type: 'identity', model: si[1] ?? '', serial: si[2] ?? '', firmware: si[3] ?? '' };
  const record = parseChannelRecord(line);
  if (record) return { type: 'record', record };
  const md = /^MD(\d{2})$/.exec(line);
  if (md) return { type: 'mode', raw: Number(md[1]) };
  const flag = /^([A-Z]{2})([NFA]|D|S|Y| [A-J]+)$/.exec(line);
  if (flag) return { type: 'flag', name: flag[1] ?? '', value: (flag[2] ?? '').trim() };
  return { type: 'other', text: line };
}

/** "1.05" from the SI firmware field "105" (§3.1). */
export function formatFirmware(fw: string): string {
  return /^\d{3}$/.test(fw) ? `${fw[0]}.${fw.slice(1)}` : fw;
}

/** Longest line kept while waiting for its CR; real replies are under 40 characters. */
export const MAX_LINE = 256;

/**
 * Splits a stream of text into lines on CR (§1), tolerating a stray LF. Returns the complete
 * lines (empty ones dropped) and the unterminated rest to prepend to the next chunk.
 */
export function splitLines(pending: string, chunk: string): { lines: string[]; rest: string } {
  const parts = (pending + chunk).split(/\r\n?|\n/);
  let rest = parts.pop() ?? '';
  // A line noise burst without CR must not grow the buffer without bound.
  if (rest.length > MAX_LINE) rest = '';
  return { lines: parts.map((l) => l.trim()).filter((l) => l.length > 0), rest };
}
