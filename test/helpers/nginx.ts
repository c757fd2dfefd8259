// test/helpers/nginx.ts: runs a real nginx (Debian's nginx-light) as a child process on a free loopback port, with the shipped configs under deploy/nginx.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { stopProcess } from './media.js';
import { tempDir } from './server.js';
import { waitFor } from './wait.js';

/** A running nginx. */
export interface TestNginx {
  port: number;
  baseUrl: string;
  dir: string;
  /** Text nginx wrote to its error log so far. */
  errors(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound and released; nginx takes it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A shipped config from deploy/nginx with its marked values replaced. Every `from` must occur
 * in the file, so a test fails if the shipped config drifts from what it substitutes.
 */
export function shippedConfig(name: string, subs: [from: string, to: string][]): string {
  let text = readFileSync(new URL(`../../deploy/nginx/${name}`, import.meta.url), 'utf8');
  for (const [from, to] of subs) {
    if (!text.includes(from)) throw new Error(`${name} no longer contains ${JSON.stringify(from)}`);
    text = text.split(from).join(to);
  }
  return text;
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts nginx in the foreground with httpConf inside http {}; resolves once it accepts
 * connections. With tls, port listens with TLS: baseUrl is https:// and readiness is a TCP connect.
 */
export async function startNginx(
  httpConf: string,
  port: number,
  opts: { tls?: boolean } = {},
): Promise<TestNginx> {
  const dir = tempDir('shls-nginx-');
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'tmp'));
  const asRoot = process.getuid?.() === 0;
  const conf = [
    // As root nginx would switch its workers to nobody, who cannot read our 0700 temp dirs.
    asRoot ? 'user root;' : '',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/logs/error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}/tmp/body;`,
    `  proxy_temp_path ${dir}/tmp/proxy;`,
    `  fastcgi_temp_path ${dir}/tmp/fastcgi;`,
    `  uwsgi_temp_path ${dir}/tmp/uwsgi;`,
    `  scgi_temp_path ${dir}/tmp/scgi;`,
    '  keepalive_requests 100000;',
    httpConf,
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(
    'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const errors = (): string => {
    let log = '';
    try {
      log = readFileSync(join(dir, 'logs/error.log'), 'utf8');
    } catch {
      // not written yet
    }
    return stderr + log;
  };
  const baseUrl = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${errors()}`);
      if (opts.tls) return accepts(port);
      return fetch(baseUrl + '/').then(
        () => true,
        () => false,
      );
    },
    'nginx to accept connections',
    10_000,
  );
  return { port, baseUrl, dir, errors, stop: () => stopProcess(child, 'SIGQUIT') };
}
