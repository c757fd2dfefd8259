// src/live-audio/icy.ts: ICY (SHOUTcast/Icecast) in-stream metadata: StreamTitle blocks and their interleaving every icy-metaint audio bytes (pure).

/**
 * Audio bytes between metadata blocks (the icy-metaint response header). 16000 is what Icecast
 * sends by default (<icy-metadata-interval>), and what most clients have been tested against.
 */
export const ICY_METAINT = 16000;

/** A block's length byte counts 16-byte units, so a block holds at most 255 × 16 bytes. */
const MAX_BLOCK_BYTES = 255 * 16;
const PREFIX = "StreamTitle='";
const SUFFIX = "';";

/**
 * The title as it goes between the quotes: one line, no control characters, and no ASCII
 * apostrophe. Clients end the value at the first `';` (ffmpeg's http.c and VLC's ICY parser
 * both search for it) and none of them unescapes a backslash, so an apostrophe becomes U+2019
 * (’), which reads the same. Titles are UTF-8 (as Icecast 2.4 sends them) and cut on a
 * character boundary to fit one block.
 */
export function icyTitleText(title: string | null): string {
  if (title === null) return '';
  let text = title
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/'/g, '\u2019')
    .trim()
    // ffmpeg looks for "';" from the quote that opens the value: a leading ';' would end it.
    .replace(/^[;\s]+/, '');
  const room = MAX_BLOCK_BYTES - PREFIX.length - SUFFIX.length;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= room) return text;
  // Cut to room bytes, then drop a character the cut split (it decodes to U+FFFD).
  text = bytes
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return text;
}

/**
 * One metadata block: a length byte N, then N × 16 bytes holding `StreamTitle='…';` padded with
 * NUL bytes ("the metadata is padded with zeroes to a multiple of 16 bytes"). A null title sends
 * an empty StreamTitle, which clears what the player shows.
 */
export function icyMetadataBlock(title: string | null): Uint8Array {
  const text = Buffer.from(`${PREFIX}${icyTitleText(title)}${SUFFIX}`, 'utf8');
  const units = Math.ceil(text.length / 16);
  const block = new Uint8Array(1 + units * 16);
  block[0] = units;
  block.set(text, 1);
  return block;
}

/** The block that says "no change": a single zero length byte. */
export const ICY_NO_CHANGE = Uint8Array.of(0);

/**
 * Interleaves metadata into one listener's audio: after every metaint audio bytes comes one
 * block: the title's block when it differs from the last one sent (the first block always
 * carries it), else the zero byte. Keeps its position across calls, so audio can be pushed in
 * any pieces.
 */
export class IcyInterleaver {
  private untilBlock: number;
  private sentTitle: string | null | undefined = undefined;

  constructor(private readonly metaint: number = ICY_METAINT) {
    if (!Number.isInteger(metaint) || metaint < 1) throw new RangeError('metaint must be ≥ 1');
    this.untilBlock = metaint;
  }

  /** audio with the blocks due inside or right after it; title is what is on the air now. */
  push(audio: Uint8Array, title: string | null): Uint8Array {
    if (audio.length < this.untilBlock) {
      this.untilBlock -= audio.length;
      return audio;
    }
    const pieces: Uint8Array[] = [];
    let at = 0;
    while (audio.length - at >= this.untilBlock) {
      pieces.push(audio.subarray(at, at + this.untilBlock));
      at += this.untilBlock;
      this.untilBlock = this.metaint;
      pieces.push(this.block(title));
    }
    this.untilBlock -= audio.length - at;
    if (at < audio.length) pieces.push(audio.subarray(at));
    return Buffer.concat(pieces);
  }

  private block(title: string | null): Uint8Array {
    const text = icyTitleText(title);
    if (text === this.sentTitle) return ICY_NO_CHANGE;
    this.sentTitle = text;
    return icyMetadataBlock(title);
  }
}

/** What a client reads back: audio with the blocks removed, and each block's StreamTitle. */
export interface IcyParsed {
  audio: Uint8Array;
  /** The StreamTitle of each non-empty block, in order. */
  titles: string[];
  /** Blocks seen, the empty ones included. */
  blocks: number;
}

/**
 * Splits an ICY stream as a client does (for tests and tools): metaint audio bytes, a length
 * byte, length × 16 metadata bytes, and so on. A block cut short at the end is left out.
 */
export function parseIcyStream(bytes: Uint8Array, metaint: number): IcyParsed {
  const audio: Uint8Array[] = [];
  const titles: string[] = [];
  let blocks = 0;
  let at = 0;
  while (at < bytes.length) {
    const take = Math.min(metaint, bytes.length - at);
    audio.push(bytes.subarray(at, at + take));
    at += take;
    if (take < metaint || at >= bytes.length) break;
    const len = bytes[at] * 16;
    if (at + 1 + len > bytes.length) break;
    blocks++;
    if (len > 0) {
      const text = Buffer.from(bytes.subarray(at + 1, at + 1 + len))
        .toString('utf8')
        .replace(/\0+$/, '');
      const m = /^StreamTitle='(.*?)';/s.exec(text);
      if (m) titles.push(m[1]);
    }
    at += 1 + len;
  }
  return { audio: Buffer.concat(audio), titles, blocks };
}
