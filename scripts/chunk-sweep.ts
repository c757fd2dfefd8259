// scripts/chunk-sweep.ts: the long mode of the chunking property: every read size from 1 byte to 64 KiB on every fixture gives the segments of a one-buffer run.
// Usage: node --import tsx scripts/chunk-sweep.ts [--max 65536] (npm run fuzz:sizes); CI runs a spread of sizes (test/unit/hls/chunking.test.ts).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fixedReads, seeded, segmentReads } from '../test/helpers/es.js';
import { makeTs, type MediaKind } from '../test/helpers/media.js';
import { mutateOnce } from '../test/helpers/mutate.js';

const { values } = parseArgs({ options: { max: { type: 'string', default: '65536' } } });
const max = Number(values.max);
if (!Number.isInteger(max) || max < 1)
  throw new Error(`--max must be a whole number ≥ 1, got ${values.max}`);

const kinds: MediaKind[] = ['mp3', 'mp3-lsf', 'aac', 'h264', 'mp3-gst', 'mp3-two-programs'];
const inputs: [string, Buffer][] = [];
for (const kind of kinds) inputs.push([kind, readFileSync(await makeTs(kind, 6))]);
// Damaged inputs too: the same decisions must come out of any split of garbage.
for (const [kind, seed] of [
  ['mp3', 1],
  ['aac', 2],
  ['h264', 3],
] as const) {
  const src = inputs.find(([k]) => k === kind)?.[1] ?? Buffer.alloc(0);
  const m = mutateOnce(src, seeded(seed));
  inputs.push([`${kind} (${m.description})`, Buffer.from(m.bytes)]);
}
const t0 = performance.now();
let runs = 0;
let failures = 0;
for (const [kind, input] of inputs) {
  const want = segmentReads(input, []);
  const t = performance.now();
  for (let size = 1; size <= Math.min(max, input.length); size++) {
    const got = segmentReads(input, fixedReads(input.length, size));
    runs++;
    const same =
      got.segments.length === want.segments.length &&
      got.segments.every((b, i) => b.equals(want.segments[i]));
    if (!same) {
      failures++;
      console.log(`chunk-sweep: ${kind}: reads of ${size} bytes give other segments`);
    }
  }
  const n = Math.min(max, input.length);
  console.log(
    `chunk-sweep: ${kind} (${input.length} bytes): sizes 1–${n} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
}
console.log(
  `chunk-sweep: ${runs} runs, ${failures} failed, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
process.exit(failures ? 1 : 0);
