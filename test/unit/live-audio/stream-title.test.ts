// test/unit/live-audio/stream-title.test.ts: the stream title from the scanner status: label, else MHz, else channel; null while quiet; changes only when it changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labelled } from '../../../src/scanner/scanner-service.js';
import { initialStatus, type ScannerStatus } from '../../../src/scanner/scanner-status.js';
import { createStreamTitle, titleOf } from '../../../src/live-audio/stream-title.js';

function status(over: Partial<Labelled<ScannerStatus>>): Labelled<ScannerStatus> {
  return {
    ...initialStatus('sim', 0),
    connected: true,
    link: 'ready',
    reason: null,
    label: null,
    ...over,
  };
}

describe('titleOf', () => {
  it('says the label, else the frequency in MHz, else the channel, while the squelch is open', () => {
    const open = { squelchOpen: true, frequencyMHz: 154.415, channel: 12 };
    assert.equal(titleOf(status({ ...open, label: ' County Fire ' })), 'County Fire');
    assert.equal(titleOf(status({ ...open, label: '' })), '154.4150 MHz');
    assert.equal(titleOf(status({ ...open, frequencyMHz: null })), 'Channel 12');
    assert.equal(titleOf(status({ ...open, frequencyMHz: null, channel: null })), null);
    assert.equal(titleOf(status({ ...open, squelchOpen: false, label: 'x' })), null);
    assert.equal(titleOf(status({ ...open, connected: false, label: 'x' })), null);
  });
});

describe('createStreamTitle', () => {
  it('follows the service and calls back only when the title changes', () => {
    let current = status({});
    const fns = new Set<(s: Labelled<ScannerStatus>) => void>();
    const source = {
      status: () => current,
      onStatus(fn: (s: Labelled<ScannerStatus>) => void) {
        fns.add(fn);
        return () => fns.delete(fn);
      },
    };
    const set = (s: Labelled<ScannerStatus>): void => {
      current = s;
      for (const fn of fns) fn(s);
    };
    const title = createStreamTitle(source);
    const seen: (string | null)[] = [];
    title.onChange((t) => seen.push(t));
    assert.equal(title.current(), null);
    set(status({ squelchOpen: true, frequencyMHz: 460.1, label: 'PD' }));
    set(status({ squelchOpen: true, frequencyMHz: 460.2, label: 'PD' })); // same title
    set(status({ squelchOpen: false }));
    assert.deepEqual(seen, ['PD', null]);
    title.close();
    assert.equal(fns.size, 0);
    assert.equal(createStreamTitle(null).current(), null);
  });
});
