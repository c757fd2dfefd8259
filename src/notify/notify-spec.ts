// src/notify/notify-spec.ts: parseNotifySpec: one --notify URL[?format=json|ntfy&talkgroup=…&channel=…&label=…&base=…] as a value.

/** Which calls an alert target hears about; an empty filter list lets every call through. */
export interface NotifyFilters {
  talkgroups: string[];
  channels: number[];
  /** Matched case-insensitively as part of the label ("fire" matches "Fire Dispatch"). */
  labels: string[];
}

/** One alert target. */
export interface NotifySpec {
  /** The endpoint, without our own parameters. */
  url: string;
  format: 'json' | 'ntfy';
  filters: NotifyFilters;
  /** Our public base URL (`base=`), for the links in events; null gives paths. */
  base: string | null;
  /** The spec as given (for logs and /api/status). */
  display: string;
}

/** Our own query parameters: taken off before the URL is used. */
const OURS = ['format', 'talkgroup', 'channel', 'label', 'base'];

function list(u: URL, name: string): string[] {
  return u.searchParams
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Parses one --notify value; throws Error(one line naming what is wrong). */
export function parseNotifySpec(s: string): NotifySpec {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Error('must be an http:// or https:// URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error('must be an http:// or https:// URL');
  }
  const format = u.searchParams.get('format') ?? 'json';
  if (format !== 'json' && format !== 'ntfy') throw new Error('format must be json or ntfy');
  const channels = list(u, 'channel').map((c) => {
    if (!/^\d{1,4}$/.test(c))
      throw new Error(`channel=${c} must be channel numbers, comma-separated`);
    return Number(c);
  });
  const talkgroups = list(u, 'talkgroup');
  const labels = list(u, 'label').map((l) => l.toLowerCase());
  let base: string | null = u.searchParams.get('base');
  if (base !== null) {
    let b: URL;
    try {
      b = new URL(base);
    } catch {
      throw new Error(
        'base= must be an http:// or https:// URL (where listeners reach this server)',
      );
    }
    if (b.protocol !== 'http:' && b.protocol !== 'https:')
      throw new Error(
        'base= must be an http:// or https:// URL (where listeners reach this server)',
      );
    base = b.toString().replace(/\/+$/, '');
  }
  for (const p of OURS) u.searchParams.delete(p);
  return { url: u.toString(), format, filters: { talkgroups, channels, labels }, base, display: s };
}
