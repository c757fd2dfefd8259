// src/call-upload/attach.ts: startCallUploads: one CallUploader per --call-upload, fed by the call log's closed calls (server.ts wires it).
import { join } from 'node:path';
import type { CallService } from '../calls/call-service.js';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
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
  /** --scanner is set (calls come from it: without it nothing is uploaded, and a line says so). */
  scannerSet?: boolean;
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
  if (uploaders.length && opts.scannerSet === false)
    opts.logger.warn(
      '--call-upload is set but --scanner is not: calls come from the scanner, so none will be uploaded',
    );
  // A queue that cannot be opened disables its target (one line); the stream goes on.
  const started: CallUploader[] = [];
  for (const u of uploaders) {
    try {
      await u.start();
      started.push(u);
    } catch (e) {
      opts.logger.error(
        `--call-upload ${u.display}: cannot open its queue in --state-dir: ${errorMessage(e)}; not uploading`,
      );
    }
  }
  const detach = started.length
    ? calls.onCall((e) => {
        if (e.kind === 'closed') for (const u of started) u.callClosed(e.row);
      })
    : () => {};
  return {
    uploaders: started,
    async close() {
      detach();
      for (const u of started) await u.close();
    },
  };
}
