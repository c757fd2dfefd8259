// public/status-events.js: stream status over Server-Sent Events (the page never polls): the pill, the details list,
// and an early retry when new media appears while playback waits.
import { el, playlist, setPill, state } from './page.js';
import { refreshMessage, retryNow } from './playback.js';

function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '–' : d.toLocaleTimeString();
}

function showStatus(s) {
  if (s.ingest.connected && s.signal === 'no-signal') setPill('no-signal', 'No signal');
  else setPill(s.ingest.connected ? 'live' : 'offline', s.ingest.connected ? 'Live' : 'Offline');
  el('d-codec').textContent = s.codecs.length ? s.codecs.join(', ').toUpperCase() : '–';
  el('d-bitrate').textContent =
    s.bitrateKbps === null ? '–' : `${Math.round(s.bitrateKbps)} kbit/s`;
  el('d-segments').textContent = String(s.segmentsPublished);
  el('d-last').textContent = fmtTime(s.lastSegmentAt);
}

function onStatus(s) {
  const before = state.status;
  state.status = s;
  showStatus(s);
  if (!state.wantPlay || !playlist) return;
  const changed = before === null || s.mediaSequence !== before.mediaSequence;
  // New media while we wait: try now instead of at the end of the back-off.
  if (changed && s.mediaSequence !== null && (state.waitingForFeed || state.retryTimer)) retryNow();
  refreshMessage();
}

export function connectEvents() {
  const events = new EventSource('/api/events');
  events.addEventListener('status', (e) => {
    let s;
    try {
      s = JSON.parse(e.data);
    } catch {
      return;
    }
    onStatus(s);
  });
  events.addEventListener('error', () => {
    // EventSource reconnects by itself unless the server answered with an error status.
    setPill('lost', 'Reconnecting…');
    if (events.readyState === EventSource.CLOSED) setTimeout(connectEvents, 5000);
  });
}
