// public/call-rows.js: one row of the recent-calls list (time, name, frequency, channel, talkgroup, length; play,
// download, copy link) and the call link it copies; DOM calls only (strict CSP).
import { callName } from './replay.js';

/** Creates an element with attributes and children (strings become text nodes). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

function fmtMHz(hz) {
  return typeof hz === 'number' ? `${(hz / 1e6).toFixed(4)} MHz` : null;
}

function fmtWhen(sec) {
  const d = new Date(sec * 1000);
  const time = d.toLocaleTimeString([], { hour12: false });
  const today = new Date().toDateString() === d.toDateString();
  return today ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

function fmtLength(c) {
  if (c.open) return 'on air';
  return typeof c.call_length === 'number' ? `${c.call_length.toFixed(1)} s` : '–';
}

function metaOf(c) {
  const name = callName(c);
  return [
    fmtMHz(c.freq) === name ? null : fmtMHz(c.freq),
    c.channel === null || c.channel === undefined ? null : `Ch ${c.channel}`,
    c.talkgroup ? `TG ${c.talkgroup}` : null,
    c.talkgroup_tag && c.talkgroup_tag !== name ? c.talkgroup_tag : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The link that opens the page and plays this call. */
export function callLink(id) {
  return `${location.origin}/#call=${encodeURIComponent(id)}`;
}

/**
 * The row of a call, made on first use and kept in `rows` (id → row); its texts and links follow
 * the call. `onPlay(id)` plays it; `say` writes the list's status line.
 */
export function rowFor(c, rows, onPlay, say) {
  let r = rows.get(c.id);
  if (!r) {
    const play = h('button', { type: 'button', class: 'calls-btn call-play' }, 'Play');
    const copy = h('button', { type: 'button', class: 'calls-btn call-copy' }, 'Copy link');
    const dl = h('a', { class: 'calls-btn call-dl', download: '' }, 'Download');
    r = {
      li: h('li', { class: 'call', 'data-id': c.id }),
      time: h('time', { class: 'call-time' }),
      title: h('span', { class: 'call-title' }),
      meta: h('span', { class: 'call-meta' }),
      len: h('span', { class: 'call-len' }),
      play,
      copy,
      dl,
    };
    r.li.append(
      h('div', { class: 'call-main' }, r.time, r.title, r.meta),
      r.len,
      h('div', { class: 'call-actions' }, play, dl, copy),
    );
    play.addEventListener('click', () => onPlay(c.id));
    copy.addEventListener('click', () => void copyLink(c.id, copy, say));
    rows.set(c.id, r);
  }
  const name = callName(c);
  const when = fmtWhen(c.start_time);
  r.li.dataset.open = String(c.open);
  r.time.dateTime = new Date(c.start_time * 1000).toISOString();
  r.time.textContent = when;
  r.title.textContent = name;
  r.meta.textContent = metaOf(c);
  r.len.textContent = fmtLength(c);
  r.play.disabled = !c.m3u8;
  r.play.setAttribute('aria-label', `Play call: ${name}, ${when}`);
  r.copy.setAttribute('aria-label', `Copy link to call: ${name}, ${when}`);
  r.dl.setAttribute('aria-label', `Download call: ${name}, ${when}`);
  if (c.audio) r.dl.href = c.audio;
  else r.dl.removeAttribute('href');
  return r;
}

/** Copies the call's link; where the Clipboard API is missing (plain HTTP on a LAN) the old copy command, else shows it. */
export async function copyLink(id, button, say) {
  const url = callLink(id);
  let done = false;
  try {
    await navigator.clipboard.writeText(url);
    done = true;
  } catch {
    const area = h('textarea', { class: 'calls-copy-area', readonly: true, 'aria-hidden': 'true' });
    area.value = url;
    document.body.append(area);
    area.select();
    try {
      done = document.execCommand('copy');
    } catch {
      done = false;
    }
    area.remove();
  }
  say(done ? `Link copied: ${url}` : `Copy this link: ${url}`);
  if (done) {
    button.textContent = 'Copied';
    setTimeout(() => (button.textContent = 'Copy link'), 2000);
  }
}
