// test/helpers/alert-receiver.ts: a local alert endpoint (node:http, port 0) that records each POST (path, headers, body, arrival) and can answer 500 on chosen paths; and a TCP socket that accepts and never answers.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedAlert {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  atMs: number;
}

/** Records every POST; a path in failing gets that status. */
export class AlertReceiver {
  readonly alerts: ReceivedAlert[] = [];
  readonly failing = new Map<string, number>();
  private server: Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Alerts that came to a path (the query left out). */
  at(path: string): ReceivedAlert[] {
    return this.alerts.filter((a) => a.path.split('?')[0] === path);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        this.alerts.push({
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          atMs: Date.now(),
        });
        res.writeHead(this.failing.get(path.split('?')[0] ?? '') ?? 200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** A TCP server that accepts connections, reads them, and never answers. */
export class SilentSocket {
  private readonly sockets = new Set<Socket>();
  private server: TcpServer | null = null;
  port = 0;
  connections = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createTcpServer((sock) => {
      this.connections++;
      this.sockets.add(sock);
      sock.on('data', () => {});
      sock.on('error', () => {});
      sock.on('close', () => this.sockets.delete(sock));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const s = this.server;
    if (!s) return;
    await new Promise<void>((r) => s.close(() => r()));
  }
}
