// public/calls.js: the recent-calls list (GET /api/calls, refreshed when the scanner's events say the transmissions
// changed), its filters, play, download and copy link per call, "Replay last call", and call links (/#call=ID).
// Shown only when the server has a call log (it has one with --scanner); built with DOM calls only (strict CSP).
import { body, el, state } from './page.js';
import { h, rowFor } from './call-rows.js';
import { playCall } from './replay.js';

const API = '/api/calls';
const PAGE_SIZE = 20;
const REFRESH_DEBOUNCE_MS = 400;

const section = el('calls');

/** Builds the section once; returns the nodes the list code updates. */
function build() {
  const ui = {
    status: h('p', { class: 'calls-status', role: 'status', 'aria-live': 'polite' }),
    list: h('ol', { class: 'calls-list', 'aria-labelledby': 'calls-title' }),
    more: h(
      'button',
      { type: 'button', class: 'calls-btn calls-more', hidden: true },
      'Older calls',
    ),
    last: h('button', { type: 'button', class: 'calls-btn calls-last' }, 'Replay last call'),
    form: h('form', { class: 'calls-filters', role: 'search', 'aria-label': 'Filter calls' }),
    lists: {
      talkgroup: h('datalist', { id: 'calls-dl-talkgroup' }),
      label: h('datalist', { id: 'calls-dl-label' }),
    },
  };
  const field = (name, label, attrs) =>
    h(
      'div',
      { class: 'calls-field' },
      h('label', { for: `calls-f-${name}`, text: label }),
      h('input', { id: `calls-f-${name}`, name, autocomplete: 'off', ...attrs }),
    );
  ui.form.append(
    field('talkgroup', 'Talkgroup', { list: 'calls-dl-talkgroup', inputmode: 'numeric' }),
    field('channel', 'Channel', {
      type: 'number',
      min: 1,
      max: 250,
      step: 1,
      inputmode: 'numeric',
    }),
    field('label', 'Label', { list: 'calls-dl-label' }),
    h('button', { type: 'reset', class: 'calls-btn' }, 'Clear'),
    ui.lists.talkgroup,
    ui.lists.label,
  );
  section.replaceChildren(
    h(
      'div',
      { class: 'calls-head' },
      h('h2', { id: 'calls-title', text: 'Recent calls' }),
      ui.last,
    ),
    ui.form,
    ui.status,
    ui.list,
    ui.more,
  );
  return ui;
}

let ui = null;
/** Calls shown, by id, and the cursor of the next older page (null: no more). */
const calls = new Map();
const rows = new Map();
let next = null;
let refreshTimer = 0;
/** Bumped on every filter change, so an answer to an older query is dropped. */
let generation = 0;

/** The filters as /api/calls query parameters. */
function filterParams() {
  const q = new URLSearchParams();
  for (const name of ['talkgroup', 'channel', 'label']) {
    const v = ui.form.elements.namedItem(name).value.trim();
    if (v) q.set(name, v);
  }
  return q;
}

/** The server refused the filters (400); the message is its reason. */
class FilterRefused extends Error {}

async function fetchPage(cursor) {
  const q = filterParams();
  q.set('limit', String(PAGE_SIZE));
  if (cursor) q.set('cursor', cursor);
  const res = await fetch(`${API}?${q}`, { headers: { accept: 'application/json' } });
  if (res.status === 400) {
    // A filter the server refuses: its one-line reason names the field.
    const body = await res.json().catch(() => ({}));
    throw new FilterRefused(typeof body.error === 'string' ? body.error : 'invalid filter');
  }
  if (!res.ok) throw new Error(`calls: HTTP ${res.status}`);
  return res.json();
}

function say(text) {
  ui.status.textContent = text;
}

/** Shows the calls newest first, moving only rows that are out of place (focus stays put). */
function render() {
  const sorted = [...calls.values()].sort((a, b) => b.start_time - a.start_time);
  let cursor = ui.list.firstChild;
  for (const c of sorted) {
    const { li } = rowFor(c, rows, (id) => playCall(calls.get(id)), say);
    if (li === cursor) cursor = cursor.nextSibling;
    else ui.list.insertBefore(li, cursor);
  }
  while (cursor) {
    const gone = cursor;
    cursor = cursor.nextSibling;
    gone.remove();
  }
  for (const id of rows.keys()) if (!calls.has(id)) rows.delete(id);
  markPlaying();
  ui.more.hidden = next === null;
  ui.last.disabled = sorted.length === 0;
  if (sorted.length === 0)
    say(filterParams().toString() ? 'No calls match these filters.' : 'No calls yet.');
  else if (/^No calls/.test(ui.status.textContent)) say('');
  suggest(sorted);
}

/** Fills the filters' suggestions with what the list holds. */
function suggest(list) {
  const fill = (dl, values) => {
    const opts = [...new Set(values.filter(Boolean))].sort().slice(0, 50);
    if (opts.join('\n') === [...dl.options].map((o) => o.value).join('\n')) return;
    dl.replaceChildren(...opts.map((v) => h('option', { value: v })));
  };
  fill(
    ui.lists.talkgroup,
    list.map((c) => c.talkgroup),
  );
  fill(
    ui.lists.label,
    list.map((c) => c.label),
  );
}

function markPlaying() {
  const id = state.replay ? state.replay.id : null;
  for (const [rid, r] of rows) {
    const on = rid === id;
    r.li.dataset.playing = String(on);
    if (on) r.play.setAttribute('aria-current', 'true');
    else r.play.removeAttribute('aria-current');
  }
}

/** Reloads the newest page for the filters; `reset` drops what was shown (a filter changed). */
async function refresh(reset) {
  const gen = reset ? ++generation : generation;
  let page;
  try {
    page = await fetchPage(null);
  } catch (err) {
    if (gen !== generation) return;
    if (err instanceof FilterRefused) {
      calls.clear();
      next = null;
      render();
      say(`Filter not accepted: ${err.message}`);
    } else say('The call list cannot be loaded right now.');
    return;
  }
  if (gen !== generation) return;
  if (reset) {
    calls.clear();
    next = page.next;
  } else if (calls.size <= PAGE_SIZE) next = page.next;
  for (const c of page.calls) calls.set(c.id, c);
  render();
}

async function loadOlder() {
  if (!next) return;
  const gen = generation;
  let page;
  try {
    page = await fetchPage(next);
  } catch {
    say('Older calls cannot be loaded right now.');
    return;
  }
  if (gen !== generation) return;
  for (const c of page.calls) calls.set(c.id, c);
  next = page.next;
  render();
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refresh(false), REFRESH_DEBOUNCE_MS);
}

/** The newest call that has ended (else the newest), as the list shows it. */
function lastCall() {
  const sorted = [...calls.values()]
    .filter((c) => c.m3u8)
    .sort((a, b) => b.start_time - a.start_time);
  return sorted.find((c) => !c.open) ?? sorted[0] ?? null;
}

/** The call named by #call=ID, or null. */
function linkedCallId() {
  const v = new URLSearchParams(location.hash.slice(1)).get('call');
  return v ? v : null;
}

/** Fetches one call (GET /api/calls/ID) and plays it; `what` names it in the status line. */
async function playById(id, what) {
  let res;
  try {
    res = await fetch(`${API}/${encodeURIComponent(id)}`, {
      headers: { accept: 'application/json' },
    });
  } catch {
    say(`The ${what} cannot be loaded right now.`);
    return;
  }
  if (!res.ok) {
    say(
      res.status === 404 ? `The ${what} is not stored any more.` : `The ${what} cannot be loaded.`,
    );
    return;
  }
  playCall(await res.json());
}

async function openLinkedCall() {
  const id = linkedCallId();
  if (!id || (state.replay && state.replay.id === id)) return;
  await playById(id, 'linked call');
}

async function init() {
  if (!section || body.dataset.scanner !== 'on') return;
  let res;
  try {
    res = await fetch(`${API}?limit=${PAGE_SIZE}`, { headers: { accept: 'application/json' } });
  } catch {
    return; // server unreachable: no list
  }
  if (!res.ok) return; // 404: this server keeps no call log
  const first = await res.json();
  ui = build();
  for (const c of first.calls) calls.set(c.id, c);
  next = first.next;
  render();
  section.hidden = false;
  let inputTimer = 0;
  ui.form.addEventListener('input', () => {
    clearTimeout(inputTimer);
    inputTimer = setTimeout(() => void refresh(true), 300);
  });
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(inputTimer);
    void refresh(true);
  });
  ui.form.addEventListener('reset', () => setTimeout(() => void refresh(true), 0));
  ui.more.addEventListener('click', () => void loadOlder());
  ui.last.addEventListener('click', () => {
    const c = lastCall();
    if (c) playCall(c);
    else say('No call to replay yet.');
  });
  window.addEventListener('scanner-hls:transmissions', scheduleRefresh);
  window.addEventListener('scanner-hls:replay', markPlaying);
  window.addEventListener('hashchange', () => void openLinkedCall());
  // The now-playing card's "Hear it again": the call heard last (now-playing.js keeps its id).
  const again = el('np-again');
  again.hidden = false;
  again.addEventListener('click', () => {
    const id = el('now-playing').dataset.call;
    if (id) void playById(id, 'call');
  });
  await openLinkedCall();
}

void init();
