// src/scanner/labels.ts: the labels file (frequency, channel or talkgroup → a name such as "Fire Dispatch"): parsing and lookup, pure.

/** Parsed labels; lookups go talkgroup first, then channel, then frequency. */
export interface Labels {
  talkgroups: ReadonlyMap<string, string>;
  channels: ReadonlyMap<number, string>;
  /** Keyed by frequency in units of 100 Hz, so 154.43 and "154.4300" are the same key. */
  frequencies: ReadonlyMap<number, string>;
}

/** No labels. */
export const NO_LABELS: Labels = {
  talkgroups: new Map(),
  channels: new Map(),
  frequencies: new Map(),
};

const SECTIONS = ['talkgroups', 'channels', 'frequencies'] as const;
const MAX_LABEL = 80;

function freqKey(mhz: number): number {
  return Math.round(mhz * 10_000);
}

function section(obj: Record<string, unknown>, name: string): [string, string][] {
  const v = obj[name];
  if (v === undefined) return [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new Error(`"${name}" must be an object mapping to names`);
  }
  return Object.entries(v).map(([k, label]) => {
    if (typeof label !== 'string' || label.trim() === '' || label.length > MAX_LABEL) {
      throw new Error(
        `${name}[${JSON.stringify(k)}] must be a name of 1 to ${MAX_LABEL} characters`,
      );
    }
    return [k, label.trim()];
  });
}

/**
 * Parses the JSON text of a labels file, e.g.
 * `{"talkgroups": {"2416": "Fire Dispatch"}, "channels": {"12": "Sheriff"}, "frequencies": {"154.430": "Fire"}}`.
 * Throws Error naming the bad entry.
 */
export function parseLabels(text: string): Labels {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('must hold a JSON object with talkgroups, channels and/or frequencies');
  }
  const obj = parsed as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(SECTIONS as readonly string[]).includes(k)) {
      throw new Error(`unknown key ${JSON.stringify(k)}; known keys: ${SECTIONS.join(', ')}`);
    }
  }
  const talkgroups = new Map(section(obj, 'talkgroups'));
  const channels = new Map<number, string>();
  for (const [k, label] of section(obj, 'channels')) {
    const n = Number(k);
    if (!/^\d{1,4}$/.test(k) || n < 1)
      throw new Error(`channels key ${JSON.stringify(k)} must be a channel number`);
    channels.set(n, label);
  }
  const frequencies = new Map<number, string>();
  for (const [k, label] of section(obj, 'frequencies')) {
    const mhz = Number(k);
    if (!/^\d{1,4}(\.\d{1,4})?$/.test(k) || mhz < 25 || mhz > 1300) {
      throw new Error(
        `frequencies key ${JSON.stringify(k)} must be a frequency in MHz, e.g. "154.430"`,
      );
    }
    frequencies.set(freqKey(mhz), label);
  }
  return { talkgroups, channels, frequencies };
}

/** What a label can be looked up by. */
export interface LabelKeys {
  talkgroup: string | null;
  channel: number | null;
  frequencyMHz: number | null;
}

/** The name for a talkgroup, else the channel, else the frequency; null when none is labelled. */
export function labelFor(labels: Labels, k: LabelKeys): string | null {
  return (
    (k.talkgroup !== null ? labels.talkgroups.get(k.talkgroup) : undefined) ??
    (k.channel !== null ? labels.channels.get(k.channel) : undefined) ??
    (k.frequencyMHz !== null ? labels.frequencies.get(freqKey(k.frequencyMHz)) : undefined) ??
    null
  );
}

/** A copy of item with its label (status or transmission). */
export function withLabel<T extends LabelKeys>(
  labels: Labels,
  item: T,
): T & { label: string | null } {
  return { ...item, label: labelFor(labels, item) };
}
