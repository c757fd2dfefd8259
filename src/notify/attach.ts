// src/notify/attach.ts: startNotifiers: one Notifier per --notify, fed by the call log's call start and end (server.ts wires it).
import type { CallService } from '../calls/call-service.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { Notifier, type NotifierOptions } from './notifier.js';
import { parseNotifySpec } from './notify-spec.js';

/** The running notifiers and how to stop them. */
export interface Notifiers {
  notifiers: Notifier[];
  close(): void;
}

/** Starts one notifier per spec and subscribes them to call start and end. */
export function startNotifiers(opts: {
  specs: readonly string[];
  calls: Pick<CallService, 'onCall'>;
  stream: string;
  /** --scanner is set (calls come from it: without it nothing is sent, and a line says so). */
  scannerSet?: boolean;
  clock: Clock;
  logger: Logger;
  /** Tuning for tests (rate, timeouts, backoff). */
  tuning?: Partial<Omit<NotifierOptions, 'spec' | 'stream' | 'clock' | 'logger'>>;
}): Notifiers {
  const notifiers = opts.specs.map(
    (s) =>
      new Notifier({
        ...opts.tuning,
        spec: parseNotifySpec(s),
        stream: opts.stream,
        clock: opts.clock,
        logger: opts.logger,
      }),
  );
  if (notifiers.length && opts.scannerSet === false)
    opts.logger.warn(
      '--notify is set but --scanner is not: calls come from the scanner, so no alerts will be sent',
    );
  const detach = notifiers.length
    ? opts.calls.onCall((e) => {
        for (const n of notifiers) n.call(e.kind === 'opened' ? 'call_start' : 'call_end', e.row);
      })
    : () => {};
  return {
    notifiers,
    close() {
      detach();
      for (const n of notifiers) n.close();
    },
  };
}
