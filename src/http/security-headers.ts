// src/http/security-headers.ts: helmet for the JSON and text endpoints (/api, /metrics, /healthz), applied once in mounts.ts.
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** JSON-only (and metrics text) responses: nothing may be rendered, framed or loaded from them. */
export const apiHeaders: RequestHandler = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  // TLS, when there is any, is terminated in front of us; the proxy owns HSTS.
  strictTransportSecurity: false,
});
