#!/usr/bin/env node
// scripts/scanner-sim.ts: serves a simulated BCT8 on a pty so scanner-hls exercises the real serial path.
// Usage: npx tsx scripts/scanner-sim.ts [--port PATH | --link PATH] [--baud N] [--seed N] [--remote-off]
//          [--slow MS] [--garble RATE] [--activity P] [--three-token-id] [--no-md] [--ma-manual]
// Without --port it spawns `socat pty,raw,echo=0,link=<link>-sim pty,raw,echo=0,link=<link>` and serves the
// "-sim" end; point scanner-hls at `--scanner <link>` (default link /tmp/bct8). Type commands on stdin:
//   rmt on|off   power   tx [MS] [TALKGROUP]   slow MS   garble RATE   status
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { systemClock } from '../src/clock.js';
import { SerialTransport } from '../src/scanner/serial-transport.js';
import { SimulatedScanner } from '../src/scanner/simulated-scanner.js';
import { serveSimulator } from '../src/scanner/sim-transport.js';

interface Args {
  port: string | null;
  link: string;
  baud: number;
  seed: number;
  remote: boolean;
  slowMs: number;
  garble: number;
  activity: number;
  threeTokenId: boolean;
  md: boolean;
  maManual: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    port: null,
    link: '/tmp/bct8',
    baud: 9600,
    seed: Date.now() % 100000,
    remote: true,
    slowMs: 5,
    garble: 0,
    activity: 0.03,
    threeTokenId: false,
    md: true,
    maManual: false,
  };
  const num = (v: string | undefined, name: string): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new Error(`${name} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--port') a.port = argv[++i] ?? null;
    else if (f === '--link') a.link = argv[++i] ?? a.link;
    else if (f === '--baud') a.baud = num(argv[++i], f);
    else if (f === '--seed') a.seed = num(argv[++i], f);
    else if (f === '--remote-off') a.remote = false;
    else if (f === '--slow') a.slowMs = num(argv[++i], f);
    else if (f === '--garble') a.garble = num(argv[++i], f);
    else if (f === '--activity') a.activity = num(argv[++i], f);
    else if (f === '--three-token-id') a.threeTokenId = true;
    else if (f === '--no-md') a.md = false;
    else if (f === '--ma-manual') a.maManual = true;
    else throw new Error(`unknown option ${f}; see the header of scripts/scanner-sim.ts`);
  }
  return a;
}

async function waitForPath(path: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`${path} did not appear (is socat installed?)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function handleStdin(sim: SimulatedScanner, line: string): void {
  const [cmd, x, y] = line.trim().split(/\s+/);
  if (cmd === 'rmt') sim.setRemoteMode(x !== 'off');
  else if (cmd === 'power') sim.powerCycle();
  else if (cmd === 'tx') sim.transmit(Number(x ?? 3000), y);
  else if (cmd === 'slow') sim.behaviour.replyDelayMs = Number(x ?? 5);
  else if (cmd === 'garble') sim.behaviour.garbleRate = Number(x ?? 0);
  else if (cmd !== 'status' && cmd !== '') {
    console.log('commands: rmt on|off, power, tx [MS] [TG], slow MS, garble RATE, status');
    return;
  }
  console.log('sim', JSON.stringify(sim.snapshot()));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let socat: ChildProcess | null = null;
  let port = args.port;
  if (!port) {
    port = `${args.link}-sim`;
    socat = spawn('socat', [`pty,raw,echo=0,link=${port}`, `pty,raw,echo=0,link=${args.link}`], {
      stdio: 'ignore',
    });
    await waitForPath(args.link, 5000);
    await waitForPath(port, 5000);
  }
  const sim = new SimulatedScanner({
    clock: systemClock,
    seed: args.seed,
    remoteMode: args.remote,
    replyDelayMs: args.slowMs,
    garbleRate: args.garble,
    activity: args.activity,
    idFrequencyToken: !args.threeTokenId,
    modeQuery: args.md,
    maSwitchesToManual: args.maManual,
  });
  const link = new SerialTransport({ path: port, baudRate: args.baud, clock: systemClock });
  link.subscribe({
    line: (l) => console.log('<-', l),
    open: () => console.log(`serving a simulated BCT8 on ${port} (seed ${args.seed})`),
    close: (why) => console.log('link down:', why),
  });
  sim.onOutput((l) => console.log('->', l));
  serveSimulator(sim, link);
  if (socat) console.log(`run scanner-hls with --scanner ${args.link}:${args.baud}`);
  // The system clock's timers are unref'd; keep the process alive until a signal.
  const keepAlive = setInterval(() => {}, 1 << 30);
  createInterface({ input: process.stdin }).on('line', (l) => handleStdin(sim, l));
  const stop = (): void => {
    clearInterval(keepAlive);
    sim.close();
    socat?.kill();
    void link.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
