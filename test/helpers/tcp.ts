// test/helpers/tcp.ts: a raw TCP publisher for tests that need exact bytes on the ingest socket.
import { connect, type Socket } from 'node:net';

/** Opens a TCP connection to 127.0.0.1:port. */
export function openPublisher(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes bytes in chunks of chunkSize (default: a few TS packets, like an encoder) and waits for them to drain. */
export async function writeAll(s: Socket, bytes: Uint8Array, chunkSize = 1316): Promise<void> {
  for (let i = 0; i < bytes.length; i += chunkSize) {
    const ok = s.write(bytes.subarray(i, i + chunkSize));
    if (!ok) await new Promise((r) => s.once('drain', r));
  }
}

/** Ends the connection and waits until it is closed. */
export function closePublisher(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve();
    s.once('close', () => resolve());
    s.end();
  });
}

/** Sends a whole file's bytes as one publisher session. */
export async function publishBytes(port: number, bytes: Uint8Array): Promise<void> {
  const s = await openPublisher(port);
  await writeAll(s, bytes);
  await closePublisher(s);
}
