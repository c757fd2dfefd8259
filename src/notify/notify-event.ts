// src/notify/notify-event.ts: a call's start or end as an alert: the filter, the JSON event and the ntfy message (pure).
import type { CallFields, CallRow } from '../calls/call-format.js';
import { audioExtension, callFields } from '../calls/call-format.js';
import type { NotifyFilters } from './notify-spec.js';

export type NotifyKind = 'call_start' | 'call_end';

/** The JSON body POSTed to a json target. */
export interface NotifyEvent {
  event: NotifyKind;
  /** The stream's name (--stream). */
  stream: string;
  /** The call's fields as GET /api/calls gives them. */
  call: CallFields;
  /** The call in the call log (GET /api/calls/ID), absolute with base=. */
  url: string;
  /** The call's audio: set on call_end (absolute with base=), null on call_start. */
  audio: string | null;
}

/**
 * True when the call is one the target asked for: with no filters, every call; else a call
 * whose talkgroup is listed, or whose channel is listed, or whose label contains a listed word
 * (case-insensitive). The filters widen each other: talkgroup=2416&channel=3 hears both.
 */
export function passes(f: NotifyFilters, call: CallRow): boolean {
  if (f.talkgroups.length === 0 && f.channels.length === 0 && f.labels.length === 0) return true;
  if (call.talkgroup !== null && f.talkgroups.includes(call.talkgroup)) return true;
  if (call.channel !== null && f.channels.includes(call.channel)) return true;
  const label = call.label?.toLowerCase() ?? '';
  return label !== '' && f.labels.some((l) => label.includes(l));
}

function link(base: string | null, path: string): string {
  return base === null ? path : base + path;
}

/** The JSON event. */
export function notifyEvent(
  kind: NotifyKind,
  call: CallRow,
  stream: string,
  base: string | null,
): NotifyEvent {
  const id = String(call.id);
  return {
    event: kind,
    stream,
    call: callFields(call),
    url: link(base, `/api/calls/${id}`),
    audio:
      kind === 'call_end' ? link(base, `/api/calls/${id}.${audioExtension(call.codec)}`) : null,
  };
}

/** An ntfy publish: the message as the body, the rest in headers. */
export interface NtfyMessage {
  body: string;
  headers: Record<string, string>;
}

/**
 * RFC 2047 encoded-word for a header with non-ASCII text: ntfy decodes "=?UTF-8?B?…?=" in its
 * headers (HTTP header values are ISO-8859-1 at best).
 */
export function headerText(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

/** What the call is: its label, else its talkgroup or channel, else its frequency. */
function callName(call: CallRow): string {
  if (call.label) return call.label;
  if (call.talkgroup !== null) return `TG ${call.talkgroup}`;
  if (call.channel !== null) return `Channel ${call.channel}`;
  if (call.freq !== null) return `${(call.freq / 1e6).toFixed(4)} MHz`;
  return 'Call';
}

/**
 * The ntfy publish (docs.ntfy.sh/publish): the body is the message; Title, Tags (emoji short
 * codes, comma-separated) and Click (the URL opened when the notification is tapped) are
 * headers. Click is set only with base= (ntfy needs an absolute URL).
 */
export function ntfyMessage(kind: NotifyKind, call: CallRow, base: string | null): NtfyMessage {
  const name = callName(call);
  const parts: string[] = [];
  if (call.freq !== null) parts.push(`${(call.freq / 1e6).toFixed(4)} MHz`);
  if (call.talkgroup !== null) parts.push(`TG ${call.talkgroup}`);
  if (call.channel !== null) parts.push(`channel ${call.channel}`);
  const when = new Date(call.id).toISOString().slice(11, 19);
  const body =
    kind === 'call_start'
      ? `${name} on the air at ${when} UTC${parts.length ? ` (${parts.join(', ')})` : ''}`
      : `${name}: ${(call.call_length ?? 0).toFixed(1)} s from ${when} UTC${parts.length ? ` (${parts.join(', ')})` : ''}`;
  const headers: Record<string, string> = {
    Title: headerText(kind === 'call_start' ? `Call: ${name}` : `Call ended: ${name}`),
    Tags: kind === 'call_start' ? 'radio' : 'radio,white_check_mark',
  };
  if (base !== null) {
    const id = String(call.id);
    headers.Click =
      kind === 'call_end' ? `${base}/api/calls/${id}.${audioExtension(call.codec)}` : `${base}/`;
  }
  return { body, headers };
}
