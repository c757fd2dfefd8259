// src/notify/notify-spec.ts: parseNotifySpec: one --notify URL[?format=json|ntfy&talkgroup=…&channel=…&label=…] as a value.

/** One alert target. */
export interface NotifySpec {
  /** The endpoint, without our own parameters. */
  url: string;
  format: 'json' | 'ntfy';
  /** The spec as given (for logs and /api/status). */
  display: string;
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
  u.searchParams.delete('format');
  return { url: u.toString(), format, display: s };
}
