// src/live-audio/audio-feed.ts: createAudioFeed, the live audio tap: the packager's 'media' cuts as AudioChunks to subscribers, and the last few seconds for a start-up burst.
import type { AudioChunk, AudioFeed } from './audio-feed-types.js';
import { chunkOfCut, type CutLike } from './cut-audio.js';

/** Where cuts come from: the Packager ('media' event). */
export interface MediaSource {
  on(event: 'media', fn: (cut: CutLike) => void): unknown;
  off(event: 'media', fn: (cut: CutLike) => void): unknown;
}

/** An AudioFeed that can be detached from its source. */
export interface LiveAudioFeed extends AudioFeed {
  /** Stops listening to the source and drops every subscriber. */
  close(): void;
}

/** Seconds of chunks kept for recent(). */
const HISTORY_SEC = 10;

/**
 * The AudioFeed over a packager: each 'media' cut (an LL-HLS part, or a segment) becomes one
 * AudioChunk, given to every subscriber in cut order. A subscriber that throws is dropped, so
 * one listener cannot stop the others or the packager.
 */
export function createAudioFeed(source: MediaSource): LiveAudioFeed {
  const subscribers = new Set<(chunk: AudioChunk) => void>();
  const history: AudioChunk[] = [];
  let historySec = 0;
  const onMedia = (cut: CutLike): void => {
    const chunk = chunkOfCut(cut);
    if (!chunk) return;
    history.push(chunk);
    historySec += chunk.durationSec;
    while (history.length > 1 && historySec - history[0].durationSec >= HISTORY_SEC) {
      historySec -= history[0].durationSec;
      history.shift();
    }
    for (const fn of [...subscribers]) {
      try {
        fn(chunk);
      } catch {
        subscribers.delete(fn);
      }
    }
  };
  source.on('media', onMedia);
  return {
    subscribe(fn) {
      subscribers.add(fn);
      return () => {
        subscribers.delete(fn);
      };
    },
    recent(sec) {
      let covered = 0;
      let from = history.length;
      while (from > 0 && covered < sec) {
        from--;
        covered += history[from].durationSec;
      }
      return history.slice(from);
    },
    format() {
      const last = history.at(-1);
      return last
        ? { codec: last.codec, sampleRate: last.sampleRate, channels: last.channels }
        : null;
    },
    close() {
      source.off('media', onMedia);
      subscribers.clear();
    },
  };
}
