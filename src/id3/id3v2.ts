// src/id3/id3v2.ts: ID3v2.4 tags built from values (pure): text frames, TXXX user text, PRIV; used by timed ID3 in the stream and by call downloads.

/** One ID3v2.4 frame. */
export type Id3Frame =
  /** A text information frame (TIT2 title, TDRC recording time, TALB, TPE1, TCON, TSSE …). */
  | { id: string; text: string }
  /** TXXX: a user-defined text field, found by its description. */
  | { id: 'TXXX'; description: string; value: string }
  /** PRIV: private data, found by its owner identifier. */
  | { id: 'PRIV'; owner: string; data: Uint8Array };

/** ID3v2.4 §6.2: "The ID3v2 tag size is stored as a 32 bit synchsafe integer", 28 bits used. */
export const MAX_ID3_SIZE = 0x0fff_ffff;

/** ID3v2.4 text encoding $03: UTF-8 (§4, "$03 UTF-8 [UTF-8] encoded Unicode"). */
const UTF8 = 3;

const enc = new TextEncoder();

/** A 28-bit value as four bytes of 7 bits each (ID3v2.4 §6.2, synchsafe integers). */
export function synchsafe(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > MAX_ID3_SIZE) {
    throw new RangeError(`synchsafe: ${n} is not a 28-bit size`);
  }
  return Uint8Array.of((n >>> 21) & 0x7f, (n >>> 14) & 0x7f, (n >>> 7) & 0x7f, n & 0x7f);
}

/** Frame IDs are four characters A–Z and 0–9 (ID3v2.4 §4). */
function checkId(id: string): void {
  if (!/^[A-Z][A-Z0-9]{3}$/.test(id)) throw new RangeError(`ID3 frame id ${JSON.stringify(id)}`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The body of one frame, after its 10-byte header. */
function frameBody(f: Id3Frame): Uint8Array {
  if ('owner' in f) {
    // PRIV: <owner identifier> $00 <the private data>; the owner is ISO-8859-1 (a URL or email).
    return concat([enc.encode(f.owner), Uint8Array.of(0), f.data]);
  }
  if ('description' in f) {
    // TXXX: <text encoding> <description> $00 <value> (UTF-8 ends a string with one $00).
    return concat([
      Uint8Array.of(UTF8),
      enc.encode(f.description),
      Uint8Array.of(0),
      enc.encode(f.value),
    ]);
  }
  return concat([Uint8Array.of(UTF8), enc.encode(f.text)]);
}

/** One frame: ID, synchsafe size (v2.4 §4.1), two flag bytes of zero, body. */
export function id3Frame(f: Id3Frame): Uint8Array {
  checkId(f.id);
  const body = frameBody(f);
  return concat([enc.encode(f.id), synchsafe(body.length), Uint8Array.of(0, 0), body]);
}

/**
 * A whole ID3v2.4 tag: "ID3", version 4.0, no flags, synchsafe size of what follows the
 * 10-byte header, then the frames. No padding, no unsynchronisation (v2.4 does not need it for
 * UTF-8 text, and the timed-metadata PES and MP3 download both read the tag by its size).
 */
export function id3Tag(frames: readonly Id3Frame[]): Uint8Array {
  const body = concat(frames.map(id3Frame));
  return concat([Uint8Array.of(0x49, 0x44, 0x33, 4, 0, 0), synchsafe(body.length), body]);
}

/** A parsed frame, for tests and for reading our own tags back. */
export type ParsedFrame =
  | { id: string; text: string }
  | { id: 'TXXX'; description: string; value: string }
  | { id: string; data: Uint8Array };

function unsynch(b: Uint8Array, at: number): number {
  return (
    ((b[at] ?? 0) << 21) | ((b[at + 1] ?? 0) << 14) | ((b[at + 2] ?? 0) << 7) | (b[at + 3] ?? 0)
  );
}

/** Reads an ID3v2.4 tag written by id3Tag (UTF-8 text, no extended header); throws on anything else. */
export function parseId3Tag(tag: Uint8Array): { size: number; frames: ParsedFrame[] } {
  if (tag.length < 10 || tag[0] !== 0x49 || tag[1] !== 0x44 || tag[2] !== 0x33) {
    throw new Error('not an ID3v2 tag');
  }
  if (tag[3] !== 4) throw new Error(`ID3v2.${tag[3]} is not 2.4`);
  const size = 10 + unsynch(tag, 6);
  if (size > tag.length) throw new Error('ID3 tag is cut short');
  const dec = new TextDecoder();
  const frames: ParsedFrame[] = [];
  let at = 10;
  while (at + 10 <= size && tag[at] !== 0) {
    const id = dec.decode(tag.subarray(at, at + 4));
    const len = unsynch(tag, at + 4);
    const body = tag.subarray(at + 10, at + 10 + len);
    at += 10 + len;
    if (id === 'TXXX') {
      const nul = body.indexOf(0, 1);
      frames.push({
        id,
        description: dec.decode(body.subarray(1, nul)),
        value: dec.decode(body.subarray(nul + 1)),
      });
    } else if (id.startsWith('T')) frames.push({ id, text: dec.decode(body.subarray(1)) });
    else frames.push({ id, data: body.slice() });
  }
  return { size, frames };
}
