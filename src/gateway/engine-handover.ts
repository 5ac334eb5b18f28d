import type { ServerResponse } from "node:http";
import type { Backend } from "../backends/backend.js";
import type { BackendHealthMonitor } from "../backends/backend-health.js";
import { SwitchyardError } from "../core/errors.js";
import type { EngineSupervisor } from "../engine/engine-supervisor.js";
import { sendJson } from "../util/send-json.js";

export const ENGINE_PAUSE_PATH = "/v1/switchyard/engine/pause";
export const ENGINE_RESUME_PATH = "/v1/switchyard/engine/resume";

/**
 * `POST /v1/switchyard/engine/pause` stops the gateway's supervised llama-server so that something else
 * can have the machine (`bench sweep` launches one engine per value, and two will not fit on one GPU);
 * `POST /v1/switchyard/engine/resume` starts it again with the same model and flags and answers once it
 * serves. In between, requests for it fail as they would with the engine down. Behind the API key.
 */
export async function handleEngineHandover(
  path: string,
  response: ServerResponse,
  engine: EngineSupervisor | undefined,
  backends: readonly Backend[],
  health: BackendHealthMonitor | undefined,
): Promise<void> {
  if (!engine)
    throw new SwitchyardError("this gateway supervises no engine (it was started with backends of its own)", {
      kind: "invalid_request",
      code: "no_engine",
      status: 409,
    });
  if (path === ENGINE_PAUSE_PATH) {
    await engine.pause();
    return sendJson(response, 200, { paused: true, url: engine.url });
  }
  await engine.resume();
  // The health monitor saw the engine go; check now, so routing takes it again without waiting a backoff.
  if (health)
    await Promise.all(
      backends.filter((backend) => backend.local).map((backend) => health.check(backend.name).catch(() => undefined)),
    );
  return sendJson(response, 200, { paused: false, url: engine.url, pid: engine.pid });
}
