// src/calls/units.ts: the duration (30d, 24h, 90m) and size (500M, 20G) values of the retention settings, parsed and shown (pure).

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
};

/** The longest duration accepted: 10 years, in seconds. */
export const MAX_DURATION_SEC = 10 * 365 * 86400;

/**
 * Seconds in "30d", "24h", "90m", "45s", "2w" or a plain number of seconds; 0 and "off" mean none.
 * Throws Error(accepted-range text) for anything else.
 */
export function parseDurationSec(raw: string | number | boolean): number {
  const s = String(raw).trim().toLowerCase();
  if (s === 'off' || s === 'none') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw]?)$/.exec(s);
  const sec = m ? Number(m[1]) * (DURATION_UNITS[m[2] || 's'] ?? NaN) : NaN;
  if (!Number.isFinite(sec) || sec > MAX_DURATION_SEC) {
    throw new Error(
      'must be a duration such as 90m, 24h or 30d (up to 10 years; 0 or off for none)',
    );
  }
  return Math.round(sec);
}

/** Bytes in "500M", "20G", "1.5GiB" or a plain number (1024-based units); 0 means no limit. */
export function parseSizeBytes(raw: string | number | boolean): number {
  const s = String(raw).trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/.exec(s);
  const bytes = m ? Number(m[1]) * (SIZE_UNITS[m[2]] ?? NaN) : NaN;
  if (!Number.isFinite(bytes) || bytes > 2 ** 50) {
    throw new Error(
      'must be a size such as 500M or 20G (bytes, or K, M, G, T in 1024s; 0 for no limit)',
    );
  }
  return Math.floor(bytes);
}

/** A duration as the largest whole unit that divides it: 86400 → "1d", 5400 → "90m"; 0 → "off". */
export function formatDuration(sec: number): string {
  if (sec === 0) return 'off';
  for (const u of ['w', 'd', 'h', 'm'] as const) {
    const n = DURATION_UNITS[u];
    if (sec % n === 0) return `${sec / n}${u}`;
  }
  return `${sec}s`;
}

/** A size as the largest whole 1024-based unit: 268435456 → "256M"; 0 → "no limit". */
export function formatSize(bytes: number): string {
  if (bytes === 0) return 'no limit';
  for (const u of ['t', 'g', 'm', 'k'] as const) {
    const n = SIZE_UNITS[u];
    if (bytes % n === 0) return `${bytes / n}${u.toUpperCase()}`;
  }
  return `${bytes}`;
}
