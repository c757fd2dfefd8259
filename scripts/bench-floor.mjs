// scripts/bench-floor.mjs: the least work any Node.js segmenter must do: start, read the input, and write
// the same bytes back out as N files, with no parsing. npm run bench times it beside scanner-hls and ffmpeg.
// Usage: node scripts/bench-floor.mjs INPUT OUTDIR N
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';

const [input, out, files] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const fd = openSync(input, 'r');
const perFile = Math.ceil(fstatSync(fd).size / Number(files) / 188) * 188;
const buf = Buffer.allocUnsafe(perFile);
let n = 0;
for (let got = readSync(fd, buf); got > 0; got = readSync(fd, buf)) {
  writeFileSync(`${out}/s${n++}.ts`, buf.subarray(0, got));
}
closeSync(fd);
