// src/ingest/ingest-source.ts: the ingest contracts: IngestSink (where bytes go), IngestSource (what every --ingest kind implements), and the counters they share.

/** Where a source hands its bytes (the Packager), one session per publisher. */
export interface IngestSink {
  startSession(remote: string): void;
  push(chunk: Uint8Array): void;
  endSession(): Promise<void>;
  /** Writes still queued: a stream source stops reading while this is high (see BACKLOG_HIGH). */
  readonly backlog: number;
  /** Resolves when every queued write is done. */
  idle(): Promise<void>;
}

/**
 * A source that can stop reading (TCP, a pipe) pauses while this many writes are queued, and goes
 * on once they are done: the kernel then holds the encoder back instead of our memory growing. A
 * live encoder never gets near it; a file or a faster-than-real-time feed does.
 */
export const BACKLOG_HIGH = 32;

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

/** Publisher events a source counts for /metrics (never reset). */
export interface IngestCounters {
  /** Connections or datagrams refused by --ingest-allow. */
  refused: number;
  /** New publishers that replaced a connected one. */
  takeovers: number;
}

/** Fresh counters. */
export function newIngestCounters(): IngestCounters {
  return { refused: 0, takeovers: 0 };
}
