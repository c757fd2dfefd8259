// test/helpers/mutate.ts: pure, seeded mutators over an aligned MPEG-TS buffer for the segmenter fuzzer (bit flips, noise, truncation, duplicated, reordered and lost packets, adaptation-field, PES, PSI, PTS and audio-frame fields that lie, bad CRCs, PAT/PMT changes, stray sync bytes, garbage, lossless variations), each returning a new Buffer and a short description.
import { crc32Mpeg } from '../../src/ts/crc32.js';

/** A generator of numbers in [0, 1), e.g. seeded() from es.ts. */
export type Rnd = () => number;

/** A mutated copy of the input and what was done to it. */
export interface Mutation {
  bytes: Buffer;
  description: string;
  /** Set when the change keeps the stream valid and its elementary streams as they were. */
  lossless?: boolean;
}

/** Takes an input (never written) and a generator; never throws, whatever the input's length. */
export type Mutator = (input: Uint8Array, rnd: Rnd) => Mutation;

const P = 188;
const SYNC = 0x47;
const NULL_PID = 0x1fff;
const TS_WRAP = 2 ** 33;
/** Stream types a PMT change may switch to: ours (MP3, AAC, H.264, ID3) and some we do not handle. */
const STREAM_TYPES = [0x03, 0x04, 0x0f, 0x1b, 0x15, 0x02, 0x06, 0x24, 0x81] as const;

// ---- random helpers ----

/** An integer in [lo, hi] (lo when hi < lo). */
function int(rnd: Rnd, lo: number, hi: number): number {
  if (hi <= lo) return lo;
  return lo + Math.min(hi - lo, Math.floor(rnd() * (hi - lo + 1)));
}

function pick<T>(rnd: Rnd, items: readonly T[]): T {
  return items[int(rnd, 0, items.length - 1)];
}

function chance(rnd: Rnd, p: number): boolean {
  return rnd() < p;
}

/** A count in [1, max], mostly small. */
function skewed(rnd: Rnd, max: number): number {
  return 1 + Math.floor(rnd() ** 3 * max);
}

/** Up to n distinct items of list, in list order (a partial shuffle: bounded for any generator). */
function sample<T>(rnd: Rnd, list: readonly T[], n: number): T[] {
  if (n >= list.length) return [...list];
  const idx = list.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = int(rnd, i, idx.length - 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => list[i]);
}

/** A copy of b[start, end) (Buffer.slice would be a view). */
function copyOf(b: Uint8Array, start: number, end: number): Uint8Array {
  return Uint8Array.from(b.subarray(start, end));
}

function randomBytes(rnd: Rnd, n: number): Buffer {
  const b = Buffer.alloc(Math.max(0, n));
  for (let i = 0; i < b.length; i++) b[i] = int(rnd, 0, 255);
  return b;
}

// ---- reading the input's structure (every read stays inside a whole 188-byte slot) ----

function pidAt(b: Uint8Array, off: number): number {
  return ((b[off + 1] & 0x1f) << 8) | b[off + 2];
}

function pusiAt(b: Uint8Array, off: number): boolean {
  return (b[off + 1] & 0x40) !== 0;
}

/** Absolute index of the payload of the packet at off, or -1 when it has none. */
function payloadAt(b: Uint8Array, off: number): number {
  const afc = (b[off + 3] >> 4) & 3;
  if ((afc & 1) === 0) return -1;
  const p = off + 4 + (afc === 3 ? 1 + b[off + 4] : 0);
  return p < off + P ? p : -1;
}

/** A PSI section starting in the PUSI packet at off: where its pointer_field and table_id are. */
interface SectionAt {
  pointer: number;
  start: number;
  /** section_length: bytes after the length field, CRC included. */
  length: number;
  /** True when the whole section lies in this packet. */
  fits: boolean;
}

function sectionAt(b: Uint8Array, off: number): SectionAt | null {
  if (!pusiAt(b, off)) return null;
  const pointer = payloadAt(b, off);
  if (pointer < 0) return null;
  const start = pointer + 1 + b[pointer];
  if (start + 3 > off + P) return null;
  const length = ((b[start + 1] & 0x0f) << 8) | b[start + 2];
  return { pointer, start, length, fits: start + 3 + length <= off + P };
}

/** Where the input's tables and PES starts are (aligned slots only). */
interface Layout {
  /** Offsets of every whole 188-byte slot that starts with 0x47. */
  packets: number[];
  /** PUSI packets on PID 0. */
  pat: number[];
  /** PUSI packets on a PMT PID named by a PAT. */
  pmt: number[];
  pmtPids: number[];
  /** PIDs whose PUSI packets start a PES (00 00 01). */
  pesPids: number[];
  /** PUSI packets of those PIDs whose payload holds a whole PES header start (9 bytes). */
  pesStarts: number[];
}

function layout(b: Uint8Array): Layout {
  const packets: number[] = [];
  for (let off = 0; off + P <= b.length; off += P) if (b[off] === SYNC) packets.push(off);
  const pat = packets.filter((off) => pidAt(b, off) === 0 && pusiAt(b, off));
  const pmtPids = new Set<number>();
  for (const off of pat) {
    const s = sectionAt(b, off);
    if (!s || !s.fits || s.length < 9 || b[s.start] !== 0) continue;
    for (let i = s.start + 8; i + 4 <= s.start + 3 + s.length - 4; i += 4) {
      const program = (b[i] << 8) | b[i + 1];
      if (program !== 0) pmtPids.add(((b[i + 2] & 0x1f) << 8) | b[i + 3]);
    }
  }
  const pmt = packets.filter((off) => pmtPids.has(pidAt(b, off)) && pusiAt(b, off));
  const pesPids = new Set<number>();
  const pesStarts: number[] = [];
  for (const off of packets) {
    const pid = pidAt(b, off);
    if (pid < 0x20 || pid === NULL_PID || pmtPids.has(pid) || !pusiAt(b, off)) continue;
    const p = payloadAt(b, off);
    if (p < 0 || p + 9 > off + P || b[p] !== 0 || b[p + 1] !== 0 || b[p + 2] !== 1) continue;
    pesPids.add(pid);
    pesStarts.push(off);
  }
  return {
    packets,
    pat,
    pmt,
    pmtPids: [...pmtPids],
    pesPids: [...pesPids],
    pesStarts,
  };
}

/** The input cut into 188-byte slots (views) and what is left after the last whole one. */
function slots(input: Uint8Array): { list: Uint8Array[]; tail: Uint8Array } {
  const list: Uint8Array[] = [];
  let off = 0;
  for (; off + P <= input.length; off += P) list.push(input.subarray(off, off + P));
  return { list, tail: input.subarray(off) };
}

function joined(list: readonly Uint8Array[], tail?: Uint8Array): Buffer {
  return Buffer.concat(tail ? [...list, tail] : [...list]);
}

function unchanged(input: Uint8Array, name: string, why: string): Mutation {
  return { bytes: Buffer.from(input), description: `${name}: ${why}, input unchanged` };
}

// ---- PSI sections (table_id through CRC_32) ----

interface PatTable {
  tsId: number;
  version: number;
  programs: { program: number; pid: number }[];
}

interface PmtStream {
  type: number;
  pid: number;
  info: Uint8Array;
}

interface PmtTable {
  program: number;
  version: number;
  pcrPid: number;
  programInfo: Uint8Array;
  streams: PmtStream[];
}

function readPat(b: Uint8Array, s: SectionAt): PatTable | null {
  if (!s.fits || s.length < 9 || b[s.start] !== 0) return null;
  const programs: { program: number; pid: number }[] = [];
  const end = s.start + 3 + s.length - 4;
  for (let i = s.start + 8; i + 4 <= end; i += 4)
    programs.push({ program: (b[i] << 8) | b[i + 1], pid: ((b[i + 2] & 0x1f) << 8) | b[i + 3] });
  return {
    tsId: (b[s.start + 3] << 8) | b[s.start + 4],
    version: (b[s.start + 5] >> 1) & 0x1f,
    programs,
  };
}

function readPmt(b: Uint8Array, s: SectionAt): PmtTable | null {
  if (!s.fits || s.length < 13 || b[s.start] !== 2) return null;
  const at = s.start;
  const end = at + 3 + s.length - 4;
  const infoLength = ((b[at + 10] & 0x0f) << 8) | b[at + 11];
  let i = at + 12 + infoLength;
  if (i > end) return null;
  const streams: PmtStream[] = [];
  while (i + 5 <= end) {
    const esInfo = ((b[i + 3] & 0x0f) << 8) | b[i + 4];
    if (i + 5 + esInfo > end) return null;
    streams.push({
      type: b[i],
      pid: ((b[i + 1] & 0x1f) << 8) | b[i + 2],
      info: copyOf(b, i + 5, i + 5 + esInfo),
    });
    i += 5 + esInfo;
  }
  return {
    program: (b[at + 3] << 8) | b[at + 4],
    version: (b[at + 5] >> 1) & 0x1f,
    pcrPid: ((b[at + 8] & 0x1f) << 8) | b[at + 9],
    programInfo: copyOf(b, at + 12, at + 12 + infoLength),
    streams,
  };
}

/** A long-form section: table_id, section_length, the extension, version (current), body, CRC. */
function buildSection(tableId: number, ext: number, version: number, body: Uint8Array): Buffer {
  const s = Buffer.alloc(8 + body.length + 4);
  const length = s.length - 3;
  s[0] = tableId;
  s[1] = 0xb0 | ((length >> 8) & 0x0f);
  s[2] = length & 0xff;
  s[3] = (ext >> 8) & 0xff;
  s[4] = ext & 0xff;
  s[5] = 0xc1 | ((version & 0x1f) << 1);
  s.set(body, 8);
  s.writeUInt32BE(crc32Mpeg(s, 0, s.length - 4), s.length - 4);
  return s;
}

function buildPat(t: PatTable): Buffer {
  const body = Buffer.alloc(4 * t.programs.length);
  t.programs.forEach((p, i) => {
    body.writeUInt16BE(p.program & 0xffff, 4 * i);
    body.writeUInt16BE(0xe000 | (p.pid & 0x1fff), 4 * i + 2);
  });
  return buildSection(0x00, t.tsId, t.version, body);
}

function buildPmt(t: PmtTable): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeUInt16BE(0xe000 | (t.pcrPid & 0x1fff), 0);
  parts[0].writeUInt16BE(0xf000 | (t.programInfo.length & 0x0fff), 2);
  parts.push(Buffer.from(t.programInfo));
  for (const e of t.streams) {
    const h = Buffer.alloc(5);
    h[0] = e.type;
    h.writeUInt16BE(0xe000 | (e.pid & 0x1fff), 1);
    h.writeUInt16BE(0xf000 | (e.info.length & 0x0fff), 3);
    parts.push(h, Buffer.from(e.info));
  }
  return buildSection(0x02, t.program, t.version, Buffer.concat(parts));
}

/** Writes section after the packet's pointer_field (set to 0), 0xFF after it; false if it does not fit. */
function writeSection(out: Uint8Array, off: number, s: SectionAt, section: Uint8Array): boolean {
  let pointer = s.pointer;
  if (pointer + 1 + section.length > off + P) {
    // GStreamer pads PSI packets with adaptation-field stuffing: drop it to make room.
    if (off + 4 + 1 + section.length > off + P) return false;
    out[off + 3] = (out[off + 3] & 0xcf) | 0x10;
    pointer = off + 4;
  }
  out[pointer] = 0;
  out.set(section, pointer + 1);
  out.fill(0xff, pointer + 1 + section.length, off + P);
  return true;
}

/**
 * A section spread over as many packets as it needs, as ISO/IEC 13818-1 allows: the first keeps the
 * original header (PUSI, PID, CC) and pointer_field 0, the others continue it without PUSI.
 */
function spanningPackets(first: Uint8Array, section: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  const head = Buffer.alloc(P, 0xff);
  head[0] = SYNC;
  head[1] = first[1] | 0x40;
  head[2] = first[2];
  head[3] = 0x10 | (first[3] & 0x0f);
  head[4] = 0;
  const firstRoom = P - 5;
  head.set(section.subarray(0, firstRoom), 5);
  out.push(head);
  let cc = first[3] & 0x0f;
  for (let at = firstRoom; at < section.length; at += P - 4) {
    cc = (cc + 1) & 0x0f;
    const pkt = Buffer.alloc(P, 0xff);
    pkt[0] = SYNC;
    pkt[1] = first[1] & 0x1f;
    pkt[2] = first[2];
    pkt[3] = 0x10 | cc;
    pkt.set(section.subarray(at, at + P - 4), 4);
    out.push(pkt);
  }
  return out;
}

// ---- PES timestamps ----

function readTs(b: Uint8Array, at: number): number {
  return (
    ((b[at] >> 1) & 0x07) * 2 ** 30 +
    ((b[at + 1] << 7) | (b[at + 2] >> 1)) * 2 ** 15 +
    ((b[at + 3] << 7) | (b[at + 4] >> 1))
  );
}

function writeTs(b: Uint8Array, at: number, value: number): void {
  const v = ((Math.round(value) % TS_WRAP) + TS_WRAP) % TS_WRAP;
  const hi = Math.floor(v / 2 ** 30) & 0x7;
  const mid = Math.floor(v / 2 ** 15) & 0x7fff;
  const lo = v & 0x7fff;
  b[at] = (b[at] & 0xf0) | (hi << 1) | 1;
  b[at + 1] = mid >> 7;
  b[at + 2] = ((mid & 0x7f) << 1) | 1;
  b[at + 3] = lo >> 7;
  b[at + 4] = ((lo & 0x7f) << 1) | 1;
}

// ---- the mutators ----

/** Single bits flipped anywhere, half of them in packet and PES headers (the first 20 bytes of a slot). */
export const bitFlips: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  if (out.length === 0) return unchanged(input, 'bit-flips', 'empty');
  const n = skewed(rnd, 300);
  const whole = Math.floor(out.length / P);
  for (let i = 0; i < n; i++) {
    const at =
      whole > 0 && chance(rnd, 0.5)
        ? int(rnd, 0, whole - 1) * P + int(rnd, 0, 19)
        : int(rnd, 0, out.length - 1);
    out[at] ^= 1 << int(rnd, 0, 7);
  }
  return { bytes: out, description: `bit-flips: ${n} bit(s)` };
};

/** Runs of random or constant bytes written over the stream. */
export const byteNoise: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  if (out.length === 0) return unchanged(input, 'byte-noise', 'empty');
  const runs = int(rnd, 1, 6);
  const what: string[] = [];
  for (let r = 0; r < runs; r++) {
    const at = int(rnd, 0, out.length - 1);
    const end = Math.min(out.length, at + skewed(rnd, 800));
    const fill = pick(rnd, ['random', 0x00, 0xff, SYNC] as const);
    for (let i = at; i < end; i++) out[i] = fill === 'random' ? int(rnd, 0, 255) : fill;
    what.push(`${end - at}@${at}`);
  }
  return { bytes: out, description: `byte-noise: ${what.join(' ')}` };
};

/** The damage of the old segmenter-fuzz test: random bytes, stray 0x47s and constant runs of up to 400 bytes. */
export const noiseSyncRuns: Mutator = (input, rnd) => {
  const buf = Buffer.from(input);
  if (buf.length === 0) return unchanged(input, 'noise-sync-runs', 'empty');
  const n = 1 + Math.floor(rnd() * 150);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * buf.length);
    const mode = rnd();
    if (mode < 0.6) buf[at] = Math.floor(rnd() * 256);
    else if (mode < 0.8) buf[at] = SYNC;
    else buf.fill(Math.floor(rnd() * 256), at, Math.min(buf.length, at + Math.floor(rnd() * 400)));
  }
  return { bytes: buf, description: `noise-sync-runs: ${n} edits` };
};

/** The stream cut short (anywhere, mid-packet included), started late, or with a piece cut out. */
export const truncate: Mutator = (input, rnd) => {
  const n = input.length;
  const mode = pick(rnd, ['end', 'end-near', 'start', 'middle'] as const);
  if (mode === 'end' || mode === 'end-near') {
    const cut = mode === 'end' ? int(rnd, 0, n) : Math.max(0, n - int(rnd, 1, 3 * P));
    return {
      bytes: Buffer.from(input.subarray(0, cut)),
      description: `truncate: first ${cut} bytes`,
    };
  }
  if (mode === 'start') {
    const from = chance(rnd, 0.5) ? int(rnd, 0, Math.min(n, 4 * P)) : int(rnd, 0, n);
    return { bytes: Buffer.from(input.subarray(from)), description: `truncate: from byte ${from}` };
  }
  const a = int(rnd, 0, n);
  const b = Math.min(n, a + skewed(rnd, 20 * P));
  return {
    bytes: Buffer.concat([input.subarray(0, a), input.subarray(b)]),
    description: `truncate: bytes ${a}-${b} cut out`,
  };
};

/** Packets repeated, next to themselves or somewhere else (PSI and PES starts as often as any). */
export const duplicatePackets: Mutator = (input, rnd) => {
  const { list, tail } = slots(input);
  if (list.length === 0) return unchanged(input, 'duplicate-packets', 'no whole packet');
  const l = layout(input);
  const special = [...l.pat, ...l.pmt, ...l.pesStarts].map((off) => off / P);
  const ops = skewed(rnd, 25);
  const out = [...list];
  const what: string[] = [];
  for (let k = 0; k < ops; k++) {
    const i =
      special.length > 0 && chance(rnd, 0.4) ? pick(rnd, special) : int(rnd, 0, list.length - 1);
    const times = int(rnd, 1, 3);
    const near = chance(rnd, 0.7);
    const at = near ? Math.min(out.length, i + 1) : int(rnd, 0, out.length);
    out.splice(at, 0, ...Array.from({ length: times }, () => list[i]));
    what.push(`${i}x${times}${near ? '' : `@${at}`}`);
  }
  return { bytes: joined(out, tail), description: `duplicate-packets: ${what.join(' ')}` };
};

/** Packets swapped with a neighbour, small groups moved, short runs reversed. */
export const reorderPackets: Mutator = (input, rnd) => {
  const { list, tail } = slots(input);
  if (list.length < 2) return unchanged(input, 'reorder-packets', 'fewer than 2 packets');
  const out = [...list];
  const ops = skewed(rnd, 12);
  const what: string[] = [];
  for (let k = 0; k < ops; k++) {
    const mode = pick(rnd, ['swap', 'move', 'reverse'] as const);
    const i = int(rnd, 0, out.length - 1);
    if (mode === 'swap') {
      const j = Math.min(out.length - 1, Math.max(0, i + pick(rnd, [-1, 1]) * int(rnd, 1, 20)));
      [out[i], out[j]] = [out[j], out[i]];
      what.push(`swap ${i},${j}`);
    } else if (mode === 'move') {
      const size = Math.min(int(rnd, 1, 8), out.length - i);
      const group = out.splice(i, size);
      const to = chance(rnd, 0.7)
        ? Math.min(out.length, Math.max(0, i + int(rnd, -50, 50)))
        : int(rnd, 0, out.length);
      out.splice(to, 0, ...group);
      what.push(`move ${i}+${size}->${to}`);
    } else {
      const size = Math.min(int(rnd, 2, 6), out.length - i);
      out.splice(i, size, ...out.slice(i, i + size).reverse());
      what.push(`reverse ${i}+${size}`);
    }
  }
  return { bytes: joined(out, tail), description: `reorder-packets: ${what.join(' ')}` };
};

/** Packets lost: at a random rate, in a burst, or the PSI or PES-start packets in particular. */
export const dropPackets: Mutator = (input, rnd) => {
  const { list, tail } = slots(input);
  if (list.length === 0) return unchanged(input, 'drop-packets', 'no whole packet');
  const l = layout(input);
  const mode = pick(rnd, ['rate', 'burst', 'psi', 'pes-starts'] as const);
  const drop = new Set<number>();
  let what: string = mode;
  if (mode === 'rate') {
    const rate = 0.005 + rnd() * 0.1;
    for (let i = 0; i < list.length; i++) if (chance(rnd, rate)) drop.add(i);
    what = `rate ${rate.toFixed(3)}`;
  } else if (mode === 'burst') {
    const at = int(rnd, 0, list.length - 1);
    const size = skewed(rnd, 80);
    for (let i = at; i < Math.min(list.length, at + size); i++) drop.add(i);
    what = `burst ${size}@${at}`;
  } else {
    const targets = (mode === 'psi' ? [...l.pat, ...l.pmt] : l.pesStarts).map((off) => off / P);
    const chosen = chance(rnd, 0.3) ? targets : sample(rnd, targets, skewed(rnd, 20));
    for (const i of chosen) drop.add(i);
    what = `${mode} ${chosen.length}/${targets.length}`;
  }
  return {
    bytes: joined(
      list.filter((_, i) => !drop.has(i)),
      tail,
    ),
    description: `drop-packets: ${what} (${drop.size} dropped)`,
  };
};

/** adaptation_field_length that lies (too long for the packet, 183, 184, 255) with AFC 10 or 11. */
export const adaptationLies: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  if (l.packets.length === 0) return unchanged(input, 'adaptation-lies', 'no packet');
  const pool = l.pesStarts.length > 0 && chance(rnd, 0.6) ? l.pesStarts : l.packets;
  const targets = chance(rnd, 0.1) ? pool : sample(rnd, pool, skewed(rnd, 30));
  const lengths: number[] = [];
  for (const off of targets) {
    const afc = pick(rnd, [2, 3]);
    const afl = pick(rnd, [
      183,
      184,
      255,
      int(rnd, 183, 255),
      int(rnd, 0, 255),
      int(rnd, 150, 182),
    ]);
    out[off + 3] = (out[off + 3] & 0xcf) | (afc << 4);
    out[off + 4] = afl;
    if (chance(rnd, 0.3)) out[off + 5] = int(rnd, 0, 255);
    lengths.push(afl);
  }
  return {
    bytes: out,
    description: `adaptation-lies: ${targets.length} packet(s), lengths ${lengths.slice(0, 6).join(',')}`,
  };
};

/** PES_packet_length, PES_header_data_length or PTS_DTS_flags that lie, on PUSI packets of a PES PID. */
export const pesLengthLies: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  if (l.pesStarts.length === 0) return unchanged(input, 'pes-length-lies', 'no PES start');
  const targets = chance(rnd, 0.15) ? l.pesStarts : sample(rnd, l.pesStarts, skewed(rnd, 30));
  const kinds = new Set<string>();
  for (const off of targets) {
    const p = payloadAt(out, off);
    if (p < 0 || p + 9 > off + P) continue;
    const kind = pick(rnd, ['packet-length', 'header-length', 'both', 'flags'] as const);
    kinds.add(kind);
    if (kind === 'packet-length' || kind === 'both') {
      const actual = (out[p + 4] << 8) | out[p + 5];
      const v = pick(rnd, [
        0,
        1,
        3,
        8,
        0xffff,
        int(rnd, 0, 0xffff),
        Math.max(0, actual + int(rnd, -20, 20)),
      ]);
      out[p + 4] = (v >> 8) & 0xff;
      out[p + 5] = v & 0xff;
    }
    if (kind === 'header-length' || kind === 'both') {
      const room = off + P - (p + 9);
      out[p + 8] =
        pick(rnd, [0, 1, 4, 255, room, room + 1, int(rnd, 0, 255), out[p + 8] + int(rnd, 1, 20)]) &
        0xff;
    }
    if (kind === 'flags') out[p + 7] = pick(rnd, [0x00, 0x40, 0xc0, int(rnd, 0, 255)]);
  }
  return {
    bytes: out,
    description: `pes-length-lies: ${targets.length} PES start(s), ${[...kinds].join('/')}`,
  };
};

/** A PAT or PMT that spans into the next packet: a lying section_length, or a real multi-packet section. */
export const psiSpan: Mutator = (input, rnd) => {
  const l = layout(input);
  const table = pick(rnd, ['pat', 'pmt'] as const);
  const pool = table === 'pat' ? l.pat : l.pmt;
  if (pool.length === 0) return unchanged(input, 'psi-span', `no ${table}`);
  const targets = new Set(chance(rnd, 0.5) ? pool : sample(rnd, pool, skewed(rnd, 10)));
  if (chance(rnd, 0.4)) {
    // section_length says more than is there: the section would run into the next packet.
    const out = Buffer.from(input);
    for (const off of targets) {
      const s = sectionAt(out, off);
      if (!s) continue;
      const room = off + P - s.start - 3;
      const v = int(rnd, room + 1, Math.max(room + 1, 1021));
      out[s.start + 1] = (out[s.start + 1] & 0xf0) | ((v >> 8) & 0x0f);
      out[s.start + 2] = v & 0xff;
    }
    return {
      bytes: out,
      description: `psi-span: ${table} section_length lies in ${targets.size} packet(s)`,
    };
  }
  // A well-formed section too long for one packet (extra programs, or a long program_info descriptor).
  const list: Uint8Array[] = [];
  let made = 0;
  let extra = 0;
  for (let off = 0; off + P <= input.length; off += P) {
    const pkt = input.subarray(off, off + P);
    const s = targets.has(off) ? sectionAt(input, off) : null;
    let section: Buffer | null = null;
    if (s && table === 'pat') {
      const t = readPat(input, s);
      if (t) {
        extra = int(rnd, 45, 200);
        for (let i = 0; i < extra; i++)
          t.programs.push({ program: 0x1000 + i, pid: 0x1000 + ((i * 7) & 0x0fff) });
        section = buildPat(t);
      }
    } else if (s) {
      const t = readPmt(input, s);
      if (t) {
        extra = int(rnd, 180, 900);
        const descriptor = Buffer.alloc(extra, 0x5a);
        for (let i = 0; i + 1 < descriptor.length; i += 257) {
          descriptor[i] = 0xfe; // user private descriptor tag
          descriptor[i + 1] = Math.min(255, descriptor.length - i - 2);
        }
        section = buildPmt({ ...t, programInfo: Buffer.concat([t.programInfo, descriptor]) });
      }
    }
    if (section && section.length <= 1024) {
      list.push(...spanningPackets(pkt, section));
      made++;
    } else list.push(pkt);
  }
  const whole = Math.floor(input.length / P) * P;
  return {
    bytes: joined(list, input.subarray(whole)),
    description: `psi-span: ${made} ${table} section(s) over several packets (+${extra} bytes)`,
  };
};

/** PAT/PMT CRC_32 wrong: a CRC byte changed, a section byte changed under the old CRC, or CRC zeroed. */
export const badCrc: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  const which = pick(rnd, ['pat', 'pmt', 'both'] as const);
  const pool = which === 'pat' ? l.pat : which === 'pmt' ? l.pmt : [...l.pat, ...l.pmt];
  if (pool.length === 0) return unchanged(input, 'bad-crc', `no ${which} section`);
  const from = int(rnd, 0, pool.length - 1);
  const targets = chance(rnd, 0.3)
    ? pool.filter((_, i) => i >= from)
    : sample(rnd, pool, skewed(rnd, 15));
  const mode = pick(rnd, ['crc-byte', 'body-byte', 'zero'] as const);
  for (const off of targets) {
    const s = sectionAt(out, off);
    if (!s || !s.fits || s.length < 5) continue;
    const crcAt = s.start + 3 + s.length - 4;
    if (mode === 'crc-byte') out[crcAt + int(rnd, 0, 3)] ^= int(rnd, 1, 255);
    else if (mode === 'zero') out.fill(0, crcAt, crcAt + 4);
    else out[int(rnd, s.start + 3, crcAt - 1)] ^= 1 << int(rnd, 0, 7);
  }
  return { bytes: out, description: `bad-crc: ${mode} in ${targets.length} ${which} packet(s)` };
};

/** pointer_field that lies: into the section, to the packet's end, or past it. */
export const pointerLies: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  const pool = [...l.pat, ...l.pmt].sort((a, b) => a - b);
  if (pool.length === 0) return unchanged(input, 'pointer-lies', 'no PSI packet');
  const targets = chance(rnd, 0.3) ? pool : sample(rnd, pool, skewed(rnd, 15));
  const values: number[] = [];
  for (const off of targets) {
    const s = sectionAt(out, off);
    if (!s) continue;
    const v = pick(rnd, [int(rnd, 1, 12), 182, 183, 184, 200, 255, int(rnd, 0, 255)]);
    out[s.pointer] = v;
    values.push(v);
  }
  return {
    bytes: out,
    description: `pointer-lies: pointer_field in ${values.length} packet(s) (${values.slice(0, 5).join(',')})`,
  };
};

/** A null packet (PID 0x1FFF), all stuffing. */
function nullPacket(): Buffer {
  const pkt = Buffer.alloc(P, 0xff);
  pkt[0] = SYNC;
  pkt[1] = 0x1f;
  pkt[2] = 0xff;
  pkt[3] = 0x10;
  return pkt;
}

/**
 * Changes that keep the stream valid and its elementary streams intact (the result is marked
 * lossless): honest pointer_fields that move PSI sections, null packets, repeated PAT/PMT packets,
 * packets of a PID no program lists.
 */
export const lossless: Mutator = (input, rnd) => {
  const variants = sample(
    rnd,
    ['pointer-shift', 'null-packets', 'psi-repeat', 'foreign-pid'] as const,
    int(rnd, 1, 3),
  );
  let bytes: Buffer = Buffer.from(input);
  const what: string[] = [];
  for (const v of variants) {
    const l = layout(bytes);
    if (v === 'pointer-shift') {
      // pointer_field skips bytes (the tail of an earlier section) before the section starts.
      const pool = [...l.pat, ...l.pmt];
      const targets = chance(rnd, 0.5) ? pool : sample(rnd, pool, skewed(rnd, 15));
      let moved = 0;
      for (const off of targets) {
        const s = sectionAt(bytes, off);
        if (!s || !s.fits || bytes[s.pointer] !== 0) continue;
        const section = copyOf(bytes, s.start, s.start + 3 + s.length);
        const room = off + P - (s.pointer + 1) - section.length;
        if (room < 1) continue;
        const k = int(rnd, 1, room);
        bytes[s.pointer] = k;
        bytes.fill(0xff, s.pointer + 1, s.pointer + 1 + k);
        bytes.set(section, s.pointer + 1 + k);
        bytes.fill(0xff, s.pointer + 1 + k + section.length, off + P);
        moved++;
      }
      what.push(`${moved} pointer shift(s)`);
      continue;
    }
    const { list, tail } = slots(bytes);
    const n = skewed(rnd, 60);
    const inserts = new Map<number, Uint8Array[]>();
    let made = 0;
    for (let k = 0; k < n; k++) {
      const at = int(rnd, 0, list.length);
      let pkt: Uint8Array | null = null;
      if (v === 'null-packets') pkt = nullPacket();
      else if (v === 'foreign-pid') {
        // A PID no PAT or PMT names: a program the segmenter is not publishing.
        pkt = randomBytes(rnd, P);
        pkt[0] = SYNC;
        pkt[1] = (pkt[1] & 0x40) | 0x1f;
        pkt[2] = 0xfe;
        pkt[3] = 0x10 | (pkt[3] & 0x0f);
      } else {
        // The PAT or PMT packet last sent before this point, sent once more (same counter).
        const table = chance(rnd, 0.5) ? l.pat : l.pmt;
        const before = table.filter((off) => off < at * P);
        if (before.length > 0) pkt = list[before[before.length - 1] / P];
      }
      if (!pkt) continue;
      inserts.set(at, [...(inserts.get(at) ?? []), pkt]);
      made++;
    }
    const parts: Uint8Array[] = [];
    for (let i = 0; i <= list.length; i++) {
      parts.push(...(inserts.get(i) ?? []));
      if (i < list.length) parts.push(list[i]);
    }
    parts.push(tail);
    bytes = Buffer.concat(parts);
    what.push(`${made} ${v} packet(s)`);
  }
  return { bytes, description: `lossless: ${what.join(', ')}`, lossless: true };
};

/** A new PMT version with other stream types (or a stream added or removed), CRC correct. */
export const pmtVersionBump: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  if (l.pmt.length === 0) return unchanged(input, 'pmt-version-bump', 'no PMT');
  const mode = pick(rnd, [
    'switch',
    'flip-flop',
    'same-streams',
    'add-stream',
    'drop-stream',
  ] as const);
  const from = int(rnd, 0, l.pmt.length - 1);
  let changed = 0;
  let types = '';
  let alternate: PmtTable | null = null;
  let altSection: Buffer | null = null;
  let origSection: Buffer | null = null;
  let flips = 0;
  const pid = pidAt(out, l.pmt[from]);
  for (let n = from; n < l.pmt.length; n++) {
    const off = l.pmt[n];
    if (pidAt(out, off) !== pid) continue;
    const s = sectionAt(out, off);
    const t = s ? readPmt(out, s) : null;
    if (!s || !t) continue;
    if (!alternate) {
      const streams = t.streams.map((e) => ({ ...e }));
      if (mode === 'switch' || mode === 'flip-flop') {
        for (const e of streams) if (chance(rnd, 0.7)) e.type = pick(rnd, STREAM_TYPES);
        if (streams.length > 0 && streams.every((e, i) => e.type === t.streams[i].type)) {
          const e = pick(rnd, streams);
          e.type = pick(
            rnd,
            STREAM_TYPES.filter((x) => x !== e.type),
          );
        }
      } else if (mode === 'add-stream') {
        streams.push({
          type: pick(rnd, STREAM_TYPES),
          pid: int(rnd, 0x20, 0x1ffe),
          info: new Uint8Array(0),
        });
      } else if (mode === 'drop-stream' && streams.length > 0) {
        streams.splice(int(rnd, 0, streams.length - 1), 1);
      }
      alternate = { ...t, version: (t.version + 1) & 0x1f, streams };
      altSection = buildPmt(alternate);
      types = streams.map((e) => `0x${e.type.toString(16)}@${e.pid}`).join(',');
      origSection = buildPmt({ ...t, version: (t.version + 2) & 0x1f });
    }
    // flip-flop alternates the new and the old stream set, each time under a new version number.
    const back = mode === 'flip-flop' && flips % 2 === 1;
    const section = back ? origSection : altSection;
    if (section && writeSection(out, off, s, section)) changed++;
    if (mode === 'flip-flop' && chance(rnd, 0.2)) flips++;
  }
  return {
    bytes: out,
    description: `pmt-version-bump: ${mode} on PID ${pid} from PMT #${from} (${changed} packet(s)) to ${types}`,
  };
};

/**
 * A new PAT version from some point on: the program's PMT moved to a new PID (the PMT packets
 * follow), or a new program number (the PMT follows): both valid, marked lossless; or the PMT PID
 * pointed at an elementary stream, or the program left out: damage.
 */
export const patChange: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  const pats = l.pat.filter((off) => {
    const s = sectionAt(out, off);
    return s !== null && readPat(out, s) !== null;
  });
  if (pats.length === 0) return unchanged(input, 'pat-change', 'no PAT');
  const from = int(rnd, 0, pats.length - 1);
  const s0 = sectionAt(out, pats[from]);
  const first = s0 ? readPat(out, s0) : null;
  const entry = first ? first.programs.find((p) => p.program !== 0) : undefined;
  if (!first || !entry) return unchanged(input, 'pat-change', 'PAT names no program');
  const mode = pick(rnd, ['move-pmt', 'program-number', 'to-es-pid', 'drop-program'] as const);
  const used = new Set(l.packets.map((off) => pidAt(out, off)));
  let pid = entry.pid;
  let program = entry.program;
  if (mode === 'move-pmt')
    for (let tries = 0; tries < 100 && used.has(pid); tries++) pid = int(rnd, 0x20, 0x1ffe);
  else if (mode === 'to-es-pid' && l.pesPids.length > 0) pid = pick(rnd, l.pesPids);
  else if (mode === 'program-number')
    for (let tries = 0; tries < 100 && first.programs.some((p) => p.program === program); tries++)
      program = int(rnd, 1, 0xffff);
  let pats2 = 0;
  let pmts = 0;
  for (const off of l.packets) {
    if (off < pats[from]) continue;
    const s = pusiAt(out, off) ? sectionAt(out, off) : null;
    const p = pidAt(out, off);
    if (p === 0 && s) {
      const t = readPat(out, s);
      const e = t?.programs.findIndex((x) => x.program === entry.program && x.pid === entry.pid);
      if (!t || e === undefined || e < 0) continue;
      if (mode === 'drop-program') t.programs.splice(e, 1);
      else t.programs[e] = { program, pid };
      t.version = (t.version + 1) & 0x1f;
      if (writeSection(out, off, s, buildPat(t))) pats2++;
    } else if (p === entry.pid && mode === 'program-number' && s) {
      const t = readPmt(out, s);
      if (
        t &&
        t.program === entry.program &&
        writeSection(out, off, s, buildPmt({ ...t, program }))
      )
        pmts++;
    }
    if (p === entry.pid && mode === 'move-pmt') {
      out[off + 1] = (out[off + 1] & 0xe0) | ((pid >> 8) & 0x1f);
      out[off + 2] = pid & 0xff;
      pmts++;
    }
  }
  return {
    bytes: out,
    description: `pat-change: ${mode} (program ${entry.program}->${program}, PMT PID ${entry.pid}->${pid}) from PAT #${from}: ${pats2} PAT, ${pmts} PMT packet(s)`,
    lossless: mode === 'move-pmt' || mode === 'program-number',
  };
};

/** Single 0x47 bytes inserted anywhere (the stream loses and must regain alignment). */
export const straySync: Mutator = (input, rnd) => {
  const n = skewed(rnd, 20);
  const at = Array.from({ length: n }, () => int(rnd, 0, input.length)).sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const i of at) {
    parts.push(input.subarray(last, i), Uint8Array.of(SYNC));
    last = i;
  }
  parts.push(input.subarray(last));
  return { bytes: Buffer.concat(parts), description: `stray-sync: ${n} byte(s) inserted` };
};

/** Garbage between packets: random bytes, text with sync bytes, runs of 0x47, torn packets, fake packets. */
export const garbageBetween: Mutator = (input, rnd) => {
  const { list, tail } = slots(input);
  const runs = skewed(rnd, 10);
  const inserts = new Map<number, Uint8Array[]>();
  const kinds = new Set<string>();
  for (let r = 0; r < runs; r++) {
    const kind = pick(rnd, ['random', 'text', 'syncs', 'torn', 'fake-packets'] as const);
    kinds.add(kind);
    let g: Uint8Array;
    if (kind === 'random') g = randomBytes(rnd, skewed(rnd, 600));
    else if (kind === 'text')
      g = Buffer.from('garbage between packets \x47 with a sync byte\n', 'latin1');
    else if (kind === 'syncs') g = Buffer.alloc(skewed(rnd, 400), SYNC);
    else if (kind === 'torn' && list.length > 0)
      g = pick(rnd, list).subarray(0, int(rnd, 1, P - 1));
    else {
      // Whole-looking packets on random PIDs: a sync byte every 188 bytes, nonsense in between.
      g = randomBytes(rnd, P * int(rnd, 1, 3));
      for (let i = 0; i < g.length; i += P) g[i] = SYNC;
    }
    const at = int(rnd, 0, list.length);
    inserts.set(at, [...(inserts.get(at) ?? []), g]);
  }
  const parts: Uint8Array[] = [];
  for (let i = 0; i <= list.length; i++) {
    parts.push(...(inserts.get(i) ?? []));
    if (i < list.length) parts.push(list[i]);
  }
  parts.push(tail);
  return {
    bytes: Buffer.concat(parts),
    description: `garbage-between: ${runs} run(s) (${[...kinds].join('/')})`,
  };
};

/** PES timestamps that jump: forward, backward, near the 33-bit wrap, random, or shifted from a point on. */
export const ptsLies: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  const starts = l.pesStarts.filter((off) => {
    const p = payloadAt(out, off);
    return p + 14 <= off + P && (out[p + 7] & 0x80) !== 0;
  });
  if (starts.length === 0) return unchanged(input, 'pts-lies', 'no PES with a PTS');
  const mode = pick(rnd, ['shift-from', 'single', 'random', 'wrap-from'] as const);
  const first = int(rnd, 0, starts.length - 1);
  const delta =
    mode === 'wrap-from'
      ? TS_WRAP - readTs(out, payloadAt(out, starts[first]) + 9) - int(rnd, 0, 180000)
      : pick(rnd, [1, -1]) * int(rnd, 1, 3600) * pick(rnd, [9000, 90000]);
  const chosen =
    mode === 'single'
      ? [starts[first]]
      : mode === 'random'
        ? sample(rnd, starts, skewed(rnd, 20))
        : starts.slice(first);
  for (const off of chosen) {
    const p = payloadAt(out, off);
    const hasDts = (out[p + 7] & 0x40) !== 0 && p + 19 <= off + P;
    const value = mode === 'random' ? int(rnd, 0, TS_WRAP - 1) : readTs(out, p + 9) + delta;
    const dtsShift = hasDts ? readTs(out, p + 14) - readTs(out, p + 9) : 0;
    writeTs(out, p + 9, value);
    if (hasDts) writeTs(out, p + 14, value + dtsShift);
  }
  return {
    bytes: out,
    description: `pts-lies: ${mode} on ${chosen.length} PES start(s)${mode === 'random' ? '' : `, ${(delta / 90000).toFixed(2)} s`}`,
  };
};

/** Header bits: transport_error_indicator, PUSI set or cleared, scrambling, AFC 00, priority. */
export const headerFlags: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  if (l.packets.length === 0) return unchanged(input, 'header-flags', 'no packet');
  const targets = sample(rnd, l.packets, skewed(rnd, 40));
  const kinds = new Set<string>();
  for (const off of targets) {
    const kind = pick(rnd, ['tei', 'pusi', 'scrambled', 'afc-00', 'priority'] as const);
    kinds.add(kind);
    if (kind === 'tei') out[off + 1] |= 0x80;
    else if (kind === 'pusi') out[off + 1] ^= 0x40;
    else if (kind === 'scrambled') out[off + 3] |= int(rnd, 1, 3) << 6;
    else if (kind === 'afc-00') out[off + 3] &= 0xcf;
    else out[off + 1] ^= 0x20;
  }
  return {
    bytes: out,
    description: `header-flags: ${targets.length} packet(s) (${[...kinds].join('/')})`,
  };
};

/** Continuity counters: random values, or one PID's counter jumping from a point on. */
export const ccDamage: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  if (l.packets.length === 0) return unchanged(input, 'cc-damage', 'no packet');
  if (chance(rnd, 0.5) && l.pesPids.length > 0) {
    const pid = pick(rnd, l.pesPids);
    const shift = int(rnd, 1, 15);
    const from = int(rnd, 0, l.packets.length - 1);
    for (const off of l.packets.slice(from))
      if (pidAt(out, off) === pid)
        out[off + 3] = (out[off + 3] & 0xf0) | ((out[off + 3] + shift) & 0x0f);
    return {
      bytes: out,
      description: `cc-damage: PID ${pid} shifted by ${shift} from packet ${from}`,
    };
  }
  const targets = sample(rnd, l.packets, skewed(rnd, 60));
  for (const off of targets) out[off + 3] = (out[off + 3] & 0xf0) | int(rnd, 0, 15);
  return { bytes: out, description: `cc-damage: ${targets.length} random counter(s)` };
};

/** Packets moved to another PID: 0, the PMT PID, another stream's, the null PID, the SDT's, any. */
export const pidRemap: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  if (l.packets.length === 0) return unchanged(input, 'pid-remap', 'no packet');
  const pool = l.pesStarts.length > 0 && chance(rnd, 0.4) ? l.pesStarts : l.packets;
  const targets = sample(rnd, pool, skewed(rnd, 30));
  const choices = [0, NULL_PID, 0x11, ...l.pmtPids, ...l.pesPids];
  for (const off of targets) {
    const pid = chance(rnd, 0.8) ? pick(rnd, choices) : int(rnd, 0, 0x1fff);
    out[off + 1] = (out[off + 1] & 0xe0) | ((pid >> 8) & 0x1f);
    out[off + 2] = pid & 0xff;
  }
  return { bytes: out, description: `pid-remap: ${targets.length} packet(s)` };
};

/** MP3 and ADTS frame headers that lie (version, layer, bitrate, rate, ADTS length), which the PES splitter reads. */
export const audioFrameLies: Mutator = (input, rnd) => {
  const out = Buffer.from(input);
  const l = layout(out);
  // Frame sync words in the payload of PES PIDs, starting with each PES's first frame.
  const pes = new Set(l.pesPids);
  const syncs: number[] = [];
  for (const off of l.packets) {
    if (!pes.has(pidAt(out, off))) continue;
    let p = payloadAt(out, off);
    if (p < 0) continue;
    if (pusiAt(out, off) && p + 9 <= off + P) p += 9 + out[p + 8];
    for (let i = p; i + 7 <= off + P; i++)
      if (out[i] === 0xff && (out[i + 1] & 0xe0) === 0xe0) syncs.push(i);
  }
  if (syncs.length === 0) return unchanged(input, 'audio-frame-lies', 'no frame header');
  const targets = sample(rnd, syncs, skewed(rnd, 40));
  const fields = new Set<string>();
  for (const i of targets) {
    const field = pick(rnd, ['version-layer', 'bitrate-rate', 'adts-length', 'any'] as const);
    fields.add(field);
    if (field === 'version-layer') out[i + 1] = 0xe0 | int(rnd, 0, 0x1f);
    else if (field === 'bitrate-rate') out[i + 2] = int(rnd, 0, 255);
    else if (field === 'adts-length') {
      const v = pick(rnd, [0, 1, 7, 8, 0x1fff, int(rnd, 0, 0x1fff)]);
      out[i + 3] = (out[i + 3] & 0xfc) | (v >> 11);
      out[i + 4] = (v >> 3) & 0xff;
      out[i + 5] = (out[i + 5] & 0x1f) | ((v & 7) << 5);
    } else out[i + int(rnd, 1, 6)] = int(rnd, 0, 255);
  }
  return {
    bytes: out,
    description: `audio-frame-lies: ${targets.length} of ${syncs.length} frame header(s) (${[...fields].join('/')})`,
  };
};

/** Every single mutator, by name (combo is added below). */
const BASE: readonly { name: string; mutate: Mutator }[] = [
  { name: 'bit-flips', mutate: bitFlips },
  { name: 'byte-noise', mutate: byteNoise },
  { name: 'noise-sync-runs', mutate: noiseSyncRuns },
  { name: 'truncate', mutate: truncate },
  { name: 'duplicate-packets', mutate: duplicatePackets },
  { name: 'reorder-packets', mutate: reorderPackets },
  { name: 'drop-packets', mutate: dropPackets },
  { name: 'adaptation-lies', mutate: adaptationLies },
  { name: 'pes-length-lies', mutate: pesLengthLies },
  { name: 'psi-span', mutate: psiSpan },
  { name: 'bad-crc', mutate: badCrc },
  { name: 'pointer-lies', mutate: pointerLies },
  { name: 'pmt-version-bump', mutate: pmtVersionBump },
  { name: 'pat-change', mutate: patChange },
  { name: 'stray-sync', mutate: straySync },
  { name: 'garbage-between', mutate: garbageBetween },
  { name: 'pts-lies', mutate: ptsLies },
  { name: 'audio-frame-lies', mutate: audioFrameLies },
  { name: 'lossless', mutate: lossless },
  { name: 'header-flags', mutate: headerFlags },
  { name: 'cc-damage', mutate: ccDamage },
  { name: 'pid-remap', mutate: pidRemap },
];

/** 2–4 different mutators applied one after another. */
export const combo: Mutator = (input, rnd) => {
  const chosen = sample(rnd, BASE, int(rnd, 2, 4));
  // sample() keeps list order; shuffle so any order can happen.
  for (let i = chosen.length - 1; i > 0; i--) {
    const j = int(rnd, 0, i);
    [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
  }
  let bytes: Buffer = Buffer.from(input);
  const what: string[] = [];
  for (const m of chosen) {
    const r = m.mutate(bytes, rnd);
    bytes = r.bytes;
    what.push(r.description);
  }
  return { bytes, description: `combo: ${what.join(' + ')}` };
};

/** Every mutator, by name. */
export const MUTATORS: readonly { name: string; mutate: Mutator }[] = [
  ...BASE,
  { name: 'combo', mutate: combo },
];

/** One mutator picked at random, applied once; name says which. */
export function mutateOnce(input: Uint8Array, rnd: Rnd): Mutation & { name: string } {
  const m = pick(rnd, MUTATORS);
  return { name: m.name, ...m.mutate(input, rnd) };
}
