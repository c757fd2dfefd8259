// test/helpers/packager.ts: a live Packager on temp directories and a fake clock, for packager-level tests.
import { join } from 'node:path';
import type { Clock } from '../../src/clock.js';
import { nullLogger } from '../../src/logger.js';
import { Packager, type PackagerOptions } from '../../src/packager.js';
import { DiskStore } from '../../src/storage/disk-store.js';
import { StateFile } from '../../src/storage/state-file.js';

/** A live packager writing to DIR/seg with state in DIR/st; 2 s segments and a 3-segment window unless overridden. */
export function testPackager(
  dir: string,
  clock: Clock,
  over: Partial<PackagerOptions> = {},
): Packager {
  return new Packager({
    stream: 'live',
    segmentDurationSec: 2,
    targetDurationSec: 2,
    window: 3,
    program: null,
    store: new DiskStore(join(dir, 'seg')),
    state: new StateFile(join(dir, 'st'), 'live'),
    clock,
    logger: nullLogger,
    ...over,
  });
}
