// test/helpers/multipart-receiver.ts: a real node:http server on port 0 that takes multipart/form-data POSTs, for the call-upload receivers (it can stop and come back on the same port).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One form as received: text fields (repeated names keep the last, as Go's and multer's do) and file parts. */
export interface ReceivedForm {
  path: string;
  fields: Map<string, string>;
  files: Map<string, { filename: string; type: string; data: Buffer }>;
  /** The order the fields came in. */
  order: string[];
}

/** Parses a multipart body with undici's parser (what fetch's Response.formData uses). */
export async function parseMultipart(body: Buffer, contentType: string): Promise<ReceivedForm> {
  const form = await new Response(new Uint8Array(body), {
    headers: { 'content-type': contentType },
  }).formData();
  const fields = new Map<string, string>();
  const files = new Map<string, { filename: string; type: string; data: Buffer }>();
  const order: string[] = [];
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, name) => entries.push([name, value]));
  for (const [name, value] of entries) {
    order.push(name);
    if (typeof value === 'string') fields.set(name, value);
    else
      files.set(name, {
        filename: value.name,
        type: value.type,
        data: Buffer.from(await value.arrayBuffer()),
      });
  }
  return { path: '', fields, files, order };
}

export type FormHandler = (
  form: ReceivedForm,
  req: IncomingMessage,
) => { status: number; body: string };

/** The server; handle() decides each answer. */
export class MultipartReceiver {
  private server: Server | null = null;
  port = 0;
  /** Requests seen (including refused ones). */
  requests = 0;

  constructor(private readonly handle: FormHandler) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens (on the same port as before after a stop). */
  async start(): Promise<void> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening: the receiver is down. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let form: ReceivedForm;
    try {
      form = await parseMultipart(Buffer.concat(chunks), req.headers['content-type'] ?? '');
    } catch (e) {
      res.writeHead(417).end(`multipart: ${String(e)}\n`);
      return;
    }
    form.path = req.url ?? '';
    const out =
      req.method === 'POST'
        ? this.handle(form, req)
        : { status: 405, body: 'Unsupported method\n' };
    res.writeHead(out.status, { 'Content-Type': 'text/plain' }).end(out.body);
  }
}
