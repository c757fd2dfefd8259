// src/http/express-prototypes.ts: onNodePrototypes: an Express app that runs on node's own IncomingMessage/ServerResponse prototypes (Express's methods put on them once), so no request's prototype is switched and node's HTTP code sees one object shape.
import { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Why. Express's app.handle does `Object.setPrototypeOf(req, this.request)` and the same for res
 * on every request it sees. The /hls front handler (hls-front.ts) answers its requests on node's
 * plain objects, so node's own HTTP code (writeHead, end, the parser's callbacks) then runs on
 * objects of two prototype chains. V8 gives each chain its own object shapes, and that code's
 * property lookups stay polymorphic for the life of the process: after a few page or API
 * requests, /hls was served about 1 µs of CPU a request slower (README "When to put nginx in
 * front"). Here Express's request and response methods are defined on node's prototypes instead,
 * and app.request/app.response become those prototypes, so app.handle's switch is a no-op.
 */

/** What this module uses of an Express application. */
interface ExpressLike {
  request: object;
  response: object;
  handle: (this: ExpressLike, req: object, res: object, next?: unknown) => void;
}

/** Express's own request and response prototypes, kept for the HTTP/2 server (secure-server.ts rebuilds them over node's HTTP/2 objects). */
const originals = new WeakMap<object, { request: object; response: object }>();

/** The property Express puts on app.request and app.response for each app: set on each request instead. */
const APP = 'app';

/** The own properties of proto's chain down to base (not included), nearest first. */
function chainProperties(proto: object, base: object): Map<PropertyKey, PropertyDescriptor> {
  const out = new Map<PropertyKey, PropertyDescriptor>();
  for (
    let p: object | null = proto;
    p !== null && p !== base;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    for (const key of Reflect.ownKeys(p)) {
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (key !== APP && d && !out.has(key)) out.set(key, d);
    }
  }
  return out;
}

function sameProperty(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set;
}

/**
 * Whether every property can go on target: absent from its whole chain, or already there with the
 * same value (put by an earlier app: Express's methods are one set of functions per process).
 */
function fits(target: object, props: Map<PropertyKey, PropertyDescriptor>): boolean {
  for (const [key, d] of props) {
    if (!(key in target)) continue;
    const have = Object.getOwnPropertyDescriptor(target, key);
    if (!have || !sameProperty(have, d)) return false;
  }
  return true;
}

/**
 * Makes app run on node's own prototypes, and returns true; returns false and changes nothing
 * when a name Express defines is already taken on node's prototypes by something else (a future
 * node), so Express keeps switching prototypes as before. app.handle then sets req.app and
 * res.app itself (Express's methods read this.app), as the switched prototype did.
 */
export function onNodePrototypes(expressApp: unknown): boolean {
  const app = expressApp as ExpressLike;
  if (originals.has(app)) return true;
  const reqProps = chainProperties(app.request, IncomingMessage.prototype);
  const resProps = chainProperties(app.response, ServerResponse.prototype);
  if (!fits(IncomingMessage.prototype, reqProps) || !fits(ServerResponse.prototype, resProps))
    return false;
  for (const [key, d] of reqProps) Object.defineProperty(IncomingMessage.prototype, key, d);
  for (const [key, d] of resProps) Object.defineProperty(ServerResponse.prototype, key, d);
  originals.set(app, { request: app.request, response: app.response });
  const handle = app.handle;
  app.request = IncomingMessage.prototype;
  app.response = ServerResponse.prototype;
  app.handle = function handleOnNodePrototypes(this: ExpressLike, req, res, next) {
    (req as { app?: unknown }).app = app;
    (res as { app?: unknown }).app = app;
    handle.call(this, req, res, next);
  };
  return true;
}

/** Express's own request and response prototypes of app, as they were before onNodePrototypes (if it ran). */
export function expressPrototypes(expressApp: object & { request: object; response: object }): {
  request: object;
  response: object;
} {
  return (
    originals.get(expressApp) ?? { request: expressApp.request, response: expressApp.response }
  );
}
