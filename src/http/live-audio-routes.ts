// src/http/live-audio-routes.ts: GET/HEAD /live.mp3 and /live.aac: the live elementary audio as one endless response (Icecast style), with ICY metadata on request.
import express, { type Request, type Response, type Router } from 'express';
import type { AudioCodec } from '../live-audio/audio-feed-types.js';
import type { LiveAudioHub } from '../live-audio/fan-out.js';
import { ICY_METAINT } from '../live-audio/icy.js';

export interface LiveAudioRouteOptions {
  /** The stream name (--stream), sent as icy-name. */
  stream: string;
  /** The listener limit, named in the 503 when it is reached. */
  maxListeners: number;
}

const PATHS: Record<AudioCodec, string> = { mp3: '/live.mp3', aac: '/live.aac' };
const CONTENT_TYPES: Record<AudioCodec, string> = { mp3: 'audio/mpeg', aac: 'audio/aac' };

/** True when the client asked for in-stream metadata (`Icy-MetaData: 1`). */
function wantsIcy(req: Request): boolean {
  return String(req.headers['icy-metadata'] ?? '').trim() === '1';
}

/**
 * The router (mounted at '/'). The response has no Content-Length and no chunked encoding: it is
 * close-delimited, as Icecast and SHOUTcast serve a stream, since the car stereos, smart speakers
 * and scanner apps this is for read the body as raw audio (chunk sizes would be noise in it),
 * and VLC, ffmpeg and browsers take a close-delimited body too (RFC 9112 §6.3: "the message
 * body length is determined by the number of octets received prior to the server closing the
 * connection").
 */
export function liveAudioRoutes(hub: LiveAudioHub, opts: LiveAudioRouteOptions): Router {
  const router = express.Router();
  const serve = (codec: AudioCodec) => (req: Request, res: Response) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-cache, no-store');
    const format = hub.format();
    if (!format) {
      res.setHeader('Retry-After', '2');
      res.status(503).json({ error: 'no audio yet: the input has not started' });
      return;
    }
    if (format.codec !== codec) {
      res.status(409).json({
        error: `the input is ${format.codec.toUpperCase()}: listen at ${PATHS[format.codec]}`,
      });
      return;
    }
    if (hub.refuse()) {
      res.setHeader('Retry-After', '10');
      res.status(503).json({
        error: `too many listeners (--live-audio-max-listeners ${opts.maxListeners})`,
      });
      return;
    }
    const icy = wantsIcy(req);
    res.status(200);
    res.setHeader('Content-Type', CONTENT_TYPES[codec]);
    res.setHeader('icy-name', opts.stream);
    const kbps = hub.bitrateKbps();
    if (kbps !== null) res.setHeader('icy-br', String(kbps));
    res.setHeader('icy-pub', '0');
    if (icy) res.setHeader('icy-metaint', String(ICY_METAINT));
    res.setHeader('Access-Control-Expose-Headers', 'icy-name, icy-br, icy-metaint');
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (req.httpVersionMajor === 1) {
      // Close-delimited: node:http then sends neither Content-Length nor chunked framing.
      res.setHeader('Connection', 'close');
      res.removeHeader('Transfer-Encoding');
      res.removeHeader('Content-Length');
    }
    res.flushHeaders();
    hub.add(res, { icy, codec });
  };
  router.get(PATHS.mp3, serve('mp3'));
  router.get(PATHS.aac, serve('aac'));
  return router;
}
