// src/ingest/ingest-source.ts: IngestSource, the contract every --ingest kind implements for server.ts.
export type { IngestSink } from './tcp-ingest.js';

/** What a started source reports for the start-up banner. */
export interface IngestStarted {
  /** One line, e.g. "udp://239.1.2.3:5004 (multicast on 127.0.0.1)". */
  description: string;
  /** The bound port for listening sources (tcp://, udp://), else 0. */
  port: number;
}

/** A source of MPEG-TS that feeds an IngestSink (the Packager) in sessions. */
export interface IngestSource {
  /** Binds, connects, opens or spawns; resolves once running (a failed bind rejects). */
  start(): Promise<IngestStarted>;
  /** Stops; an open session is ended (its segment published) before this resolves. */
  close(): Promise<void>;
}
