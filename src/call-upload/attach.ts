// src/call-upload/attach.ts: startCallUploads: one CallUploader per --call-upload, fed by the call log's closed calls (server.ts wires it).
import { join } from 'node:path';
import type { CallService } from '../calls/call-service.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { CallUploader, type CallUploaderOptions } from './call-uploader.js';
import { parseCallUploadSpec } from './upload-spec.js';

/** The queues' directory in --state-dir. */
export const CALL_UPLOADS_DIR = 'call-uploads';

/** The running uploaders and how to stop them. */
export interface CallUploads {
  uploaders: CallUploader[];
  close(): Promise<void>;
}

/** Starts one uploader per spec (none: nothing is started) and subscribes them to closed calls. */
export async function startCallUploads(opts: {
  specs: readonly string[];
  calls: Pick<CallService, 'db' | 'replay' | 'onCall'>;
  stateDir: string;
  clock: Clock;
  logger: Logger;
  /** Tuning for tests (timeouts, backoff, bounds). */
  tuning?: Partial<Omit<CallUploaderOptions, 'spec' | 'source' | 'queueRoot' | 'clock' | 'logger'>>;
}): Promise<CallUploads> {
  const { calls } = opts;
  const source = {
    lastSegmentEndMs: () => calls.db.lastSegmentEndMs(),
    callMedia: (id: number) => calls.replay.callMedia(id),
  };
  const uploaders = opts.specs.map(
    (s) =>
      new CallUploader({
        ...opts.tuning,
        spec: parseCallUploadSpec(s),
        source,
        queueRoot: join(opts.stateDir, CALL_UPLOADS_DIR),
        clock: opts.clock,
        logger: opts.logger,
      }),
  );
  for (const u of uploaders) await u.start();
  const detach = uploaders.length
    ? calls.onCall((e) => {
        if (e.kind === 'closed') for (const u of uploaders) u.callClosed(e.row);
      })
    : () => {};
  return {
    uploaders,
    async close() {
      detach();
      for (const u of uploaders) await u.close();
    },
  };
}
