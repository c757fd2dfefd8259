// test/helpers/check-ll.ts: the oracle's Low-Latency HLS rules (RFC 8216bis §4.4.3.7–8, §4.4.4.9, §4.4.5, §6.2.2; Apple authoring spec 14.3), on playlist text.

/** An LL-HLS rule, named after the section that states it. */
export type LowLatencyRule =
  /** §4.4.3.7: EXT-X-PART-INF (once, with PART-TARGET) is REQUIRED when any EXT-X-PART is present. */
  | 'part-inf'
  /** §4.4.3.8: PART-HOLD-BACK is REQUIRED with EXT-X-PART-INF; Apple 14.3: at least 3 × PART-TARGET. */
  | 'part-hold-back'
  /** §4.4.3.8: CAN-SKIP-UNTIL is at least 6 × the target duration. */
  | 'skip-until'
  /** §4.4.4.9: a part's DURATION is at most PART-TARGET. */
  | 'part-over-target'
  /** §4.4.4.9: parts but the last of a segment (and INDEPENDENT/GAP ones) last at least 85 % of PART-TARGET. */
  | 'part-too-short'
  /** §4.4.4.9: a segment holds the same media as its parts, so their durations add up to its EXTINF. */
  | 'part-sum'
  /** §4.4.5.3, §6.2.6: at most one EXT-X-PRELOAD-HINT of TYPE=PART, none with EXT-X-ENDLIST. */
  | 'preload-hint'
  /** §6.2.2: parts more than 3 target durations from the end SHOULD be gone (we hold to it). */
  | 'parts-too-old'
  /** §4.4.4.9: audio parts start on a frame and are marked INDEPENDENT=YES (when opts.audio). */
  | 'part-independent'
  /** Apple 8.4 and the LL server profile: every segment carries EXT-X-PROGRAM-DATE-TIME. */
  | 'part-pdt'
  /** §4.4.5.2, §7: EXT-X-SKIP needs CAN-SKIP-UNTIL and EXT-X-VERSION 9 or more. */
  | 'skip'
  /**
   * §4.4.3.8: CAN-SKIP-DATERANGES=YES "REQUIRES the presence of CAN-SKIP-UNTIL"; §8: an EXT-X-SKIP
   * that replaces date ranges (RECENTLY-REMOVED-DATERANGES) needs EXT-X-VERSION 10 or more.
   */
  | 'skip-dateranges';

export interface LowLatencyViolation {
  rule: LowLatencyRule;
  line: number;
  message: string;
}

function attrs(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of value.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g))
    out.set(m[1], m[2].replace(/^"|"$/g, ''));
  return out;
}

interface Seg {
  line: number;
  extinf: number | null;
  pdt: boolean;
  parts: { line: number; sec: number; independent: boolean; gap: boolean }[];
}

/** The LL rules text breaks; empty when it has no LL tags, or keeps them all. */
export function checkLowLatency(
  text: string,
  opts: { audio?: boolean } = {},
): LowLatencyViolation[] {
  const out: LowLatencyViolation[] = [];
  const add = (rule: LowLatencyRule, line: number, message: string): void => {
    out.push({ rule, line, message });
  };
  const lines = text.split(/\r?\n/);
  let version = 0;
  let target: number | null = null;
  let partTarget: number | null = null;
  let partInfCount = 0;
  let control: Map<string, string> | null = null;
  let hints = 0;
  let endlist = false;
  let skipLine = 0;
  let skipRemovesRanges = false;
  const segs: Seg[] = [];
  let cur: Seg = { line: 0, extinf: null, pdt: false, parts: [] };
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) {
      segs.push({ ...cur, line: n });
      cur = { line: 0, extinf: null, pdt: false, parts: [] };
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1);
    if (name === '#EXT-X-VERSION') version = Number(value);
    else if (name === '#EXT-X-TARGETDURATION') target = Number(value);
    else if (name === '#EXT-X-PART-INF') {
      partInfCount++;
      const pt = Number(attrs(value).get('PART-TARGET'));
      if (Number.isFinite(pt) && pt > 0) partTarget = pt;
      else add('part-inf', n, `EXT-X-PART-INF ${JSON.stringify(value)} has no PART-TARGET`);
    } else if (name === '#EXT-X-SERVER-CONTROL') control = attrs(value);
    else if (name === '#EXT-X-PRELOAD-HINT') {
      if (attrs(value).get('TYPE') === 'PART') hints++;
    } else if (name === '#EXT-X-ENDLIST') endlist = true;
    else if (name === '#EXT-X-SKIP') {
      skipLine = n;
      skipRemovesRanges = value.includes('RECENTLY-REMOVED-DATERANGES=');
    } else if (name === '#EXTINF') cur.extinf = Number(value.split(',')[0]);
    else if (name === '#EXT-X-PROGRAM-DATE-TIME') cur.pdt = true;
    else if (name === '#EXT-X-PART') {
      const a = attrs(value);
      cur.parts.push({
        line: n,
        sec: Number(a.get('DURATION')),
        independent: a.get('INDEPENDENT') === 'YES',
        gap: a.get('GAP') === 'YES',
      });
    }
  }
  const open = cur.parts.length ? cur : null;
  const all = open ? [...segs, open] : segs;
  const anyPart = all.some((s) => s.parts.length > 0);
  if (!anyPart && partInfCount === 0) return out;
  if (partInfCount !== 1) add('part-inf', 0, `EXT-X-PART-INF appears ${partInfCount} times`);
  const phb = Number(control?.get('PART-HOLD-BACK'));
  if (partTarget !== null && !(phb >= 3 * partTarget - 1e-9))
    add('part-hold-back', 0, `PART-HOLD-BACK ${phb} is less than 3 × PART-TARGET ${partTarget}`);
  const skipUntil = control?.get('CAN-SKIP-UNTIL');
  if (skipUntil !== undefined && target !== null && !(Number(skipUntil) >= 6 * target))
    add('skip-until', 0, `CAN-SKIP-UNTIL ${skipUntil} is less than 6 × ${target}`);
  if (skipLine && (skipUntil === undefined || version < 9))
    add('skip', skipLine, `EXT-X-SKIP with CAN-SKIP-UNTIL ${skipUntil} and version ${version}`);
  if (control?.has('CAN-SKIP-DATERANGES') && skipUntil === undefined)
    add('skip-dateranges', 0, 'CAN-SKIP-DATERANGES without CAN-SKIP-UNTIL');
  if (skipRemovesRanges && version < 10)
    add(
      'skip-dateranges',
      skipLine,
      `an EXT-X-SKIP that skips date ranges with version ${version}`,
    );
  if (hints > 1) add('preload-hint', 0, `${hints} EXT-X-PRELOAD-HINT TYPE=PART tags`);
  if (hints > 0 && endlist) add('preload-hint', 0, 'EXT-X-PRELOAD-HINT with EXT-X-ENDLIST');
  // Distance from each segment's start to the end of the playlist.
  let fromEnd = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i];
    const dur = s.extinf ?? s.parts.reduce((t, p) => t + p.sec, 0);
    fromEnd += dur;
    if (s.parts.length && target !== null && fromEnd > 3 * target + 1e-6)
      add(
        'parts-too-old',
        s.parts[0].line,
        `parts of a segment ${fromEnd.toFixed(3)} s from the end`,
      );
    if (s.parts.length && !s.pdt)
      add('part-pdt', s.parts[0].line, 'a segment with parts has no EXT-X-PROGRAM-DATE-TIME');
    if (s.extinf !== null && s.parts.length) {
      const sum = s.parts.reduce((t, p) => t + p.sec, 0);
      if (Math.abs(sum - s.extinf) > 0.001)
        add('part-sum', s.line, `parts add up to ${sum.toFixed(6)}, EXTINF says ${s.extinf}`);
    }
    for (const [j, p] of s.parts.entries()) {
      if (partTarget !== null && p.sec > partTarget + 1e-9)
        add(
          'part-over-target',
          p.line,
          `part of ${p.sec} s is longer than PART-TARGET ${partTarget}`,
        );
      const final = s !== open && j === s.parts.length - 1;
      const nextGap = s.parts[j + 1]?.gap ?? false;
      if (partTarget !== null && !final && !p.gap && !nextGap && p.sec < 0.85 * partTarget - 1e-9)
        add('part-too-short', p.line, `part of ${p.sec} s is under 85 % of ${partTarget}`);
      if (opts.audio && !p.independent)
        add('part-independent', p.line, 'an audio part without INDEPENDENT=YES');
    }
  }
  return out;
}
