import { buildConnector, type Dispatcher, Pool } from "undici";
import { environmentProxyAgent, proxyFromEnvironment } from "../util/environment-proxy.js";
import { isPrivateHost } from "../util/private-host.js";
import { SpareConnection } from "./spare-connection.js";

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
  /** Taken off a server's `Keep-Alive: timeout=N` hint (undici's default is 2 s). */
  keepAliveTimeoutThreshold?: number;
}

/**
 * How long a pool to a server on this machine keeps an idle connection. llama-server (cpp-httplib) and
 * vLLM/SGLang (uvicorn) close theirs after 5 s idle, counted from when they finished writing the answer, so
 * ours go 1 s before theirs (llama-server's `Keep-Alive: timeout=5` less 1 s, or 4 s where no hint comes).
 * An agent's next turn usually comes within seconds of the last answer (a tool call, a file read) and then
 * finds its connection open instead of dialling. A request that meets a connection the server is closing
 * anyway (an event loop late by more than the margin) is sent once more (upstream-request.ts).
 */
export const LOCAL_KEEP_ALIVE = {
  keepAliveTimeout: 4_000,
  keepAliveMaxTimeout: 4_000,
  keepAliveTimeoutThreshold: 1_000,
} as const;

/** Pools whose connections may be opened ahead of a request (`preconnect`). */
const spares = new WeakMap<Dispatcher, SpareConnection>();
/**
 * Where a dispatcher's requests go, when that is more than a pool's own origin: the path of its base URL
 * (every request's path starts with it), and for a proxy agent the origin each request names.
 */
const targets = new WeakMap<Dispatcher, { basePath: string; origin?: string }>();

/**
 * The keep-alive pool a backend sends its requests over; configured timeouts win over the defaults.
 * `preconnect` on it opens a connection ahead of a request when none is idle. A base URL with a path (a
 * server behind a reverse proxy at `/llama`, llama-server's `--api-prefix`) has every request's path
 * start with it (`targetOn`).
 */
export function upstreamPool(baseUrl: string, configured: UpstreamTimeouts, defaults: UpstreamPoolDefaults): Pool {
  const url = new URL(baseUrl);
  const spare = new SpareConnection(
    buildConnector({ timeout: configured.connectTimeoutMs ?? defaults.connectTimeoutMs }),
    defaults.keepAliveTimeout,
  );
  const pool = new Pool(url.origin, {
    connections: defaults.connections,
    // Left undefined, each takes undici's default.
    pipelining: defaults.pipelining,
    keepAliveTimeout: defaults.keepAliveTimeout,
    keepAliveMaxTimeout: defaults.keepAliveMaxTimeout,
    keepAliveTimeoutThreshold: defaults.keepAliveTimeoutThreshold,
    connect: spare.connect,
    headersTimeout: configured.headersTimeoutMs ?? defaults.headersTimeoutMs,
    bodyTimeout: configured.idleTimeoutMs ?? defaults.idleTimeoutMs,
  });
  spares.set(pool, spare);
  const basePath = url.pathname.replace(/\/+$/, "");
  if (basePath) targets.set(pool, { basePath });
  return pool;
}

/**
 * A cloud's dispatcher: its pool, or where the environment names a proxy (`HTTPS_PROXY`, `HTTP_PROXY`;
 * a company network), an agent that goes through it, except to hosts `NO_PROXY` names. Servers on this
 * machine and the LAN take `upstreamPool` and never a proxy: the local kinds, and a cloud kind's URL on
 * a loopback or private address (a gateway such as LiteLLM running here), as Go's and curl's clients
 * leave localhost alone.
 */
export function cloudDispatcher(
  baseUrl: string,
  configured: UpstreamTimeouts,
  defaults: UpstreamPoolDefaults,
): Dispatcher {
  if (!proxyFromEnvironment() || isPrivateHost(baseUrl)) return upstreamPool(baseUrl, configured, defaults);
  const url = new URL(baseUrl);
  const agent = environmentProxyAgent({
    connections: defaults.connections,
    keepAliveTimeout: defaults.keepAliveTimeout,
    keepAliveMaxTimeout: defaults.keepAliveMaxTimeout,
    connect: { timeout: configured.connectTimeoutMs ?? defaults.connectTimeoutMs },
    headersTimeout: configured.headersTimeoutMs ?? defaults.headersTimeoutMs,
    bodyTimeout: configured.idleTimeoutMs ?? defaults.idleTimeoutMs,
  });
  targets.set(agent, { basePath: url.pathname.replace(/\/+$/, ""), origin: url.origin });
  return agent;
}

/**
 * A request's path on `dispatcher`, under its base URL's path where it has one, and the origin to name
 * where the dispatcher serves more than one (a proxy agent).
 */
export function targetOn(dispatcher: Dispatcher, path: string): { path: string; origin?: string } {
  const target = targets.get(dispatcher);
  return target === undefined ? { path } : { path: target.basePath + path, origin: target.origin };
}

/**
 * Opens a connection to the pool's server ahead of a request expected soon, when no connection is idle:
 * the handshake then runs while the request is read and planned, not after.
 */
export function preconnect(pool: Pool): void {
  if (pool.stats.free > 0) return;
  spares.get(pool)?.open();
}

/** Closes the pool (or proxy agent) and a connection opened ahead that no request took. */
export async function closeUpstreamPool(pool: Dispatcher): Promise<void> {
  spares.get(pool)?.close();
  await pool.close();
}
