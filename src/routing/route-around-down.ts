import type { Backend } from "../backends/backend.js";
import type { BackendStatus } from "../backends/backend-health.js";
import type { Route } from "./model-router.js";

/** What routing needs from the health monitor (src/backends/backend-health.ts). */
export interface BackendHealthView {
  isUp(name: string): boolean;
  status(name: string): BackendStatus | undefined;
}

/** Routes chosen by default, not by the client's or config's explicit choice, may go to another backend. */
const MOVABLE = new Set(["default", "claude-name", "session-placement"]);

/**
 * A route whose backend is down goes to another backend that is up (local first) when the route was a
 * default. When nothing else can serve it (or the route was explicit: an alias, a model only that
 * backend serves), the request still goes to that backend: it may be back before the next health check,
 * and if not, its own failure is the client's error, naming the backend and why (502 unreachable, 504,
 * 529 overloaded, in the client's protocol). Fallback chains are routing policy's business, not this check's.
 */
export function routeAroundDown(
  route: Route,
  backends: readonly Backend[],
  health: BackendHealthView | undefined,
  defaultModel: (backend: Backend) => string,
): Route {
  if (!health || health.isUp(route.backend.name)) return route;
  const down = route.backend.name;
  if (!MOVABLE.has(route.reason)) return { ...route, reason: `${route.reason}; ${down} down` };
  const up = (backend: Backend) => backend !== route.backend && health.isUp(backend.name);
  const other = backends.find((backend) => backend.local && up(backend)) ?? backends.find(up);
  if (other) return { backend: other, model: defaultModel(other), reason: `${route.reason}; ${down} down` };
  return { ...route, reason: `${route.reason}; ${down} down, nothing else can serve` };
}
