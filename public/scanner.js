// public/scanner.js: the scanner panel of the listening page (the scanner's state now): live status over SSE, a transmission log, and token-guarded controls.
// Plain browser JavaScript (no build step). Builds its markup with DOM calls only, so a strict CSP holds.

const API = '/api/scanner';
const TOKEN_KEY = 'scanner-hls.control-token';
const LOG_ROWS = 20;

const panel = document.getElementById('scanner-panel');

/** Creates an element with attributes and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) el.append(c);
  return el;
}

/** Reads ?token= or #token=, remembers it, and removes it from the address bar; else the stored one. */
function takeToken() {
  const url = new URL(window.location.href);
  const hash = new URLSearchParams(url.hash.slice(1));
  const fromUrl = url.searchParams.get('token') || hash.get('token');
  if (fromUrl) {
    try {
      localStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage may be disabled; the token still works for this page view
    }
    url.searchParams.delete('token');
    hash.delete('token');
    const rest = hash.toString();
    history.replaceState(null, '', url.pathname + url.search + (rest ? `#${rest}` : ''));
    return fromUrl;
  }
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

let token = takeToken();

function fmtMHz(v) {
  return typeof v === 'number' ? `${v.toFixed(4)} MHz` : '–';
}

function fmtTime(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '–';
}

function modeText(s) {
  if (s.mode !== 'unknown') return s.mode.charAt(0).toUpperCase() + s.mode.slice(1);
  return s.modeRaw === null ? 'Unknown' : `Unknown (MD ${String(s.modeRaw).padStart(2, '0')})`;
}

/** Builds the panel once; returns the nodes render() updates. */
function build() {
  const ui = {
    link: h('p', { class: 'scn-link', 'data-state': 'closed' }),
    freq: h('dd', { class: 'scn-freq', text: '–' }),
    channel: h('dd', { text: '–' }),
    talkgroup: h('dd', { text: '–' }),
    name: h('dd', { class: 'scn-name', text: '–' }),
    mode: h('dd', { text: '–' }),
    light: h('span', { class: 'scn-light', 'data-open': 'false', 'aria-hidden': 'true' }),
    squelchText: h('span', { text: 'Squelch closed' }),
    activity: h('p', {
      class: 'scn-activity',
      role: 'status',
      'aria-live': 'polite',
      'aria-atomic': 'true',
    }),
    message: h('p', { class: 'scn-message', role: 'alert', 'aria-live': 'assertive' }),
    scan: h('button', { type: 'button', class: 'scn-btn', 'aria-pressed': 'false', text: 'Scan' }),
    hold: h('button', { type: 'button', class: 'scn-btn', 'aria-pressed': 'false', text: 'Hold' }),
    channelInput: h('input', {
      id: 'scn-channel',
      type: 'number',
      min: 1,
      max: 250,
      step: 1,
      inputmode: 'numeric',
      required: true,
    }),
    tuneInput: h('input', {
      id: 'scn-tune',
      type: 'number',
      min: 25,
      max: 1300,
      step: 'any',
      inputmode: 'decimal',
      required: true,
      placeholder: '851.1625',
    }),
    tokenInput: h('input', { id: 'scn-token', type: 'password', autocomplete: 'off' }),
    log: h('tbody'),
  };
  ui.activity.append(ui.light, ui.squelchText, h('span', { class: 'scn-tg' }));
  const channelForm = h(
    'form',
    { class: 'scn-form', 'data-action': 'channel' },
    h('label', { for: 'scn-channel', text: 'Channel (1–250)' }),
    ui.channelInput,
    h('button', { type: 'submit', class: 'scn-btn', text: 'Go' }),
  );
  const tuneForm = h(
    'form',
    { class: 'scn-form', 'data-action': 'tune' },
    h('label', { for: 'scn-tune', text: 'Tune (MHz)' }),
    ui.tuneInput,
    h('button', { type: 'submit', class: 'scn-btn', text: 'Tune' }),
  );
  const tokenForm = h(
    'form',
    { class: 'scn-form' },
    h('label', { for: 'scn-token', text: 'Control token' }),
    ui.tokenInput,
    h('button', { type: 'submit', class: 'scn-btn', text: 'Save' }),
  );
  const tokenBox = h(
    'details',
    { class: 'scn-token' },
    h('summary', { text: 'Control token' }),
    tokenForm,
  );
  const table = h(
    'table',
    { class: 'scn-log' },
    h('caption', { text: 'Recent transmissions' }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Time', 'Name', 'Frequency', 'Channel', 'Talkgroup', 'Duration'].map((t) =>
          h('th', { scope: 'col', text: t }),
        ),
      ),
    ),
    ui.log,
  );
  panel.replaceChildren(
    h('h2', { class: 'scn-title', text: 'Scanner now' }),
    h('p', {
      class: 'scn-sub',
      text: 'What the scanner receives at this moment; the audio you hear runs behind it by the delay shown above.',
    }),
    ui.link,
    h(
      'dl',
      { class: 'scn-readout' },
      h('div', { class: 'scn-wide' }, h('dt', { text: 'Frequency' }), ui.freq),
      h('div', {}, h('dt', { text: 'Channel / bank' }), ui.channel),
      h('div', {}, h('dt', { text: 'Talkgroup' }), ui.talkgroup),
      h('div', { class: 'scn-wide' }, h('dt', { text: 'Name' }), ui.name),
      h('div', {}, h('dt', { text: 'Mode' }), ui.mode),
    ),
    ui.activity,
    h(
      'div',
      { class: 'scn-buttons', role: 'group', 'aria-label': 'Scanner mode' },
      ui.scan,
      ui.hold,
    ),
    channelForm,
    tuneForm,
    ui.message,
    tokenBox,
    h(
      'div',
      { class: 'scn-log-wrap', role: 'region', 'aria-label': 'Recent transmissions', tabindex: 0 },
      table,
    ),
  );
  ui.scan.addEventListener('click', () => void control('scan', {}));
  ui.hold.addEventListener('click', () => void control('hold', {}));
  channelForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void control('channel', { channel: Number(ui.channelInput.value) });
  });
  tuneForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void control('tune', { frequencyMHz: Number(ui.tuneInput.value) });
  });
  tokenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    token = ui.tokenInput.value.trim();
    try {
      localStorage.setItem(TOKEN_KEY, token);
    } catch {
      // keep it for this page view only
    }
    ui.tokenInput.value = '';
    tokenBox.open = false;
    say(token ? 'Token saved.' : 'Token cleared.', 'info');
  });
  return ui;
}

let ui = null;
let lastActivityText = '';
let lastNowPlaying = '';

/** Hands the lock screen (app.js, Media Session) what the scanner is receiving, on change only. */
function announceNowPlaying(s) {
  if (!s.squelchOpen || typeof s.frequencyMHz !== 'number') return;
  const freq = fmtMHz(s.frequencyMHz);
  const title = s.label ?? freq;
  const artist = [
    s.channel === null ? null : `Channel ${s.channel}`,
    s.talkgroup ? `Talkgroup ${s.talkgroup}` : null,
    s.label ? freq : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const key = `${title}|${artist}`;
  if (key === lastNowPlaying) return;
  lastNowPlaying = key;
  window.dispatchEvent(
    new CustomEvent('scanner-hls:now-playing', { detail: { title, artist: artist || 'Scanner' } }),
  );
}

function say(text, kind) {
  ui.message.textContent = text;
  ui.message.dataset.kind = kind;
}

function render(s) {
  // The now-playing card shows this beside what is heard, when the two differ.
  window.dispatchEvent(new CustomEvent('scanner-hls:scanner-status', { detail: s }));
  ui.link.dataset.state = s.connected ? 'ready' : s.link;
  ui.link.textContent = s.connected
    ? `Connected: ${s.model ?? 'scanner'}${s.firmware ? ` (remote firmware ${s.firmware})` : ''}`
    : `Not connected: ${s.reason ?? 'unknown reason'}`;
  ui.freq.textContent = fmtMHz(s.frequencyMHz);
  ui.channel.textContent = s.channel === null ? '–' : `${s.channel} / bank ${s.bank ?? '–'}`;
  ui.talkgroup.textContent = s.talkgroup ?? '–';
  ui.name.textContent = s.label ?? '–';
  ui.mode.textContent = modeText(s);
  ui.light.dataset.open = String(s.squelchOpen);
  // Only announce when squelch or talkgroup change, so screen readers are not flooded.
  const tg = (s.talkgroup ? `, talkgroup ${s.talkgroup}` : '') + (s.label ? ` (${s.label})` : '');
  const text = s.squelchOpen ? `Receiving${tg}` : `Squelch closed${tg}`;
  if (text !== lastActivityText) {
    lastActivityText = text;
    ui.squelchText.textContent = text;
  }
  announceNowPlaying(s);
  ui.scan.setAttribute('aria-pressed', String(s.mode === 'scan'));
  ui.hold.setAttribute('aria-pressed', String(s.mode === 'hold'));
  for (const el of panel.querySelectorAll('.scn-buttons button, .scn-form[data-action] button')) {
    el.disabled = !s.connected;
  }
}

function renderLog(list) {
  ui.log.replaceChildren(
    ...list
      .slice(0, LOG_ROWS)
      .map((t) =>
        h(
          'tr',
          { 'data-live': t.end === null ? 'true' : 'false' },
          h('td', { text: fmtTime(t.start) }),
          h('td', { class: 'scn-name', text: t.label ?? '–' }),
          h('td', { text: typeof t.frequencyMHz === 'number' ? t.frequencyMHz.toFixed(4) : '–' }),
          h('td', { text: t.channel === null ? '–' : String(t.channel) }),
          h('td', { text: t.talkgroup ?? '–' }),
          h('td', { text: t.durationSec === null ? 'on air' : `${t.durationSec.toFixed(1)} s` }),
        ),
      ),
  );
}

async function control(action, body) {
  if (!token) {
    say(
      'Control needs the token: open this page with ?token=… (printed at server start) or enter it below.',
      'error',
    );
    return;
  }
  panel.setAttribute('aria-busy', 'true');
  try {
    const res = await fetch(`${API}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (res.status === 401) {
      say(
        'Control refused: the token is missing or wrong. Use the page URL printed at server start, or enter the token below.',
        'error',
      );
    } else if (res.status === 429) {
      say(
        `Too many commands; try again in ${res.headers.get('retry-after') ?? 'a few'} s.`,
        'error',
      );
    } else if (!res.ok) {
      say(`Scanner: ${data.error ?? `error ${res.status}`}`, 'error');
    } else {
      say(`${action.charAt(0).toUpperCase() + action.slice(1)}: done.`, 'info');
      if (data.status) render(data.status);
    }
  } catch {
    say('The server cannot be reached.', 'error');
  } finally {
    panel.removeAttribute('aria-busy');
  }
}

function listen() {
  const es = new EventSource(`${API}/events`);
  es.addEventListener('status', (e) => render(JSON.parse(e.data)));
  es.addEventListener('transmissions', (e) => {
    renderLog(JSON.parse(e.data));
    // The recent-calls list (calls.js) reloads its first page.
    window.dispatchEvent(new CustomEvent('scanner-hls:transmissions'));
  });
  es.addEventListener('error', () => {
    ui.link.dataset.state = 'closed';
    ui.link.textContent = 'Live updates interrupted; reconnecting…';
  });
}

async function init() {
  if (!panel) return;
  let res;
  try {
    res = await fetch(API, { headers: { accept: 'application/json' } });
  } catch {
    return; // server unreachable: leave the panel hidden
  }
  if (res.status === 404 || !res.ok) return; // 404: no scanner configured
  const status = await res.json();
  ui = build();
  render(status);
  panel.hidden = false;
  const tx = await fetch(`${API}/transmissions`).then((r) =>
    r.ok ? r.json() : { transmissions: [] },
  );
  renderLog(tx.transmissions ?? []);
  listen();
}

void init();
