import type { ServerResponse } from "node:http";
import type { Backend } from "../backends/backend.js";
import type { BackendHealthMonitor } from "../backends/backend-health.js";
import { redactSecrets, redactUrl } from "../security/redact-secrets.js";
import { sendJson } from "../util/send-json.js";

/**
 * GET /health: what the health monitor last saw, with no upstream call (a probe polled every few
 * seconds must not become a models call against a cloud key, nor undo the monitor's intervals).
 * 200 while any backend is up, 503 when none is. Without the key (`detailed` false) it says only that;
 * which backends there are, where and why they are down is for key holders.
 */
export function handleHealth(
  response: ServerResponse,
  backends: readonly Backend[],
  health: BackendHealthMonitor | undefined,
  detailed: boolean,
): void {
  const statuses = backends.map((backend) => ({ backend, status: health?.status(backend.name) }));
  // A backend the monitor does not watch is assumed up, as the monitor assumes before its first check.
  const ok = statuses.some(({ status }) => status?.up ?? true);
  const body = { status: ok ? "ok" : "unavailable" };
  sendJson(response, ok ? 200 : 503, {
    ...body,
    backends: !detailed
      ? undefined
      : statuses.map(({ backend, status }) => ({
          name: backend.name,
          kind: backend.kind,
          url: redactUrl(backend.baseUrl),
          up: status?.up ?? true,
          ...(status ? { ...status, lastError: status.lastError && redactSecrets(status.lastError) } : {}),
        })),
  });
}
