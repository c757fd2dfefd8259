// public/app.js: the listening page's entry module: wires the buttons and the audio element, starts playback support,
// stream status and the Media Session, and loads the scanner panel when the server has a scanner.
// Plain browser ES modules (no build step), loaded by index.html as <script type="module">.
import { setupKeys, setupVolume } from './controls.js';
import { setupMediaSession, updateMediaSession } from './media-session.js';
import {
  TEXT,
  audio,
  body,
  chooseEngine,
  jumpButton,
  playButton,
  playlist,
  state,
  volume,
} from './page.js';
import {
  jumpToLive,
  keepNearLive,
  play,
  refreshMessage,
  renderPlayState,
  scheduleRetry,
  showBehind,
  startedPlaying,
  togglePlay,
} from './playback.js';
import { connectEvents } from './status-events.js';

// ---------- wiring ----------

playButton.addEventListener('click', togglePlay);
jumpButton.addEventListener('click', () => {
  jumpToLive();
  if (!state.wantPlay) play();
});

audio.addEventListener('playing', () => {
  startedPlaying();
  state.stalled = false;
  state.recovering = false;
  updateMediaSession();
  refreshMessage();
});
audio.addEventListener('waiting', () => {
  state.stalled = true;
  refreshMessage();
});
audio.addEventListener('stalled', () => {
  if (audio.readyState < 3) state.stalled = true;
});
audio.addEventListener('pause', () => {
  // Paused by the system (headphones out, another app): reflect it.
  if (state.wantPlay && !state.recovering && !state.stalled && audio.readyState > 0) {
    state.wantPlay = false;
    renderPlayState();
    refreshMessage();
  }
});
audio.addEventListener('timeupdate', showBehind);
audio.addEventListener('error', () => {
  if (state.engine !== 'native' || !state.wantPlay) return;
  refreshMessage(state.status && !state.status.ingest.connected ? TEXT.offline : TEXT.network);
  scheduleRetry();
});

// ---------- start-up ----------

/** The scanner panel (public/scanner.js), when the server has a scanner; it names what is playing. */
function loadScannerPanel() {
  if (body.dataset.scanner !== 'on') return;
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = '/scanner.css';
  document.head.append(css);
  const js = document.createElement('script');
  js.type = 'module';
  js.src = '/scanner.js';
  document.head.append(js);
}

state.engine = chooseEngine();
if (state.engine === 'hls' && !('MediaSource' in window)) audio.disableRemotePlayback = true;
if (!playlist || !state.engine) {
  playButton.disabled = true;
  volume.disabled = true;
}
setupVolume();
setupKeys();
setupMediaSession();
renderPlayState();
refreshMessage();
setInterval(() => {
  showBehind();
  keepNearLive();
}, 1000);
connectEvents();
loadScannerPanel();
