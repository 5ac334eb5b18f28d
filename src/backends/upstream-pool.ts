import { Pool } from "undici";

/** The timeouts a backend's config may set; each backend has its own defaults for the ones left out. */
export interface UpstreamTimeouts {
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** One backend's pool shape: connection counts and keep-alive suited to its server, default timeouts. */
export interface UpstreamPoolDefaults extends Required<UpstreamTimeouts> {
  connections: number;
  pipelining?: number;
  keepAliveTimeout: number;
  keepAliveMaxTimeout?: number;
}

/** The keep-alive pool a backend sends its requests over; configured timeouts win over the defaults. */
export function upstreamPool(origin: string, configured: UpstreamTimeouts, defaults: UpstreamPoolDefaults): Pool {
  return new Pool(origin, {
    connections: defaults.connections,
    ...(defaults.pipelining === undefined ? {} : { pipelining: defaults.pipelining }),
    keepAliveTimeout: defaults.keepAliveTimeout,
    ...(defaults.keepAliveMaxTimeout === undefined ? {} : { keepAliveMaxTimeout: defaults.keepAliveMaxTimeout }),
    connect: { timeout: configured.connectTimeoutMs ?? defaults.connectTimeoutMs },
    headersTimeout: configured.headersTimeoutMs ?? defaults.headersTimeoutMs,
    bodyTimeout: configured.idleTimeoutMs ?? defaults.idleTimeoutMs,
  });
}
