/**
 * `bench sweep` asks the Switchyard at `--url` for its engine (POST /v1/switchyard/engine/pause) before
 * launching engines of its own, and gives it back (…/resume) when done, interrupted or failed. No
 * gateway there, or one without a supervised engine: nothing to hand over, and the sweep says so.
 */
export interface EngineHandover {
  /** Gives the engine back; resolves once the gateway says it serves again. */
  restore(): Promise<void>;
}

const PAUSE_TIMEOUT_MS = 30_000;
const RESUME_TIMEOUT_MS = 300_000;

async function post(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Response> {
  return fetch(url, { method: "POST", headers, signal: AbortSignal.timeout(timeoutMs) });
}

export async function takeGatewayEngine(
  gatewayUrl: string,
  apiKey: string | undefined,
  say: (line: string) => void,
): Promise<EngineHandover | undefined> {
  const headers: Record<string, string> = apiKey ? { "x-api-key": apiKey } : {};
  let response: Response;
  try {
    response = await post(`${gatewayUrl}/v1/switchyard/engine/pause`, headers, PAUSE_TIMEOUT_MS);
  } catch {
    say(`no Switchyard at ${gatewayUrl}: no engine to hand over`);
    return undefined;
  }
  const text = await response.text();
  if (response.status === 404 || response.status === 409) {
    say(`${gatewayUrl} has no supervised engine to hand over (${response.status})`);
    return undefined;
  }
  if (!response.ok)
    throw new Error(`${gatewayUrl} would not pause its engine: ${response.status} ${text.slice(0, 200)}`);
  say(`paused the engine of the Switchyard at ${gatewayUrl}; it is started again after the sweep`);
  return {
    async restore() {
      const resumed = await post(`${gatewayUrl}/v1/switchyard/engine/resume`, headers, RESUME_TIMEOUT_MS);
      const body = await resumed.text();
      if (!resumed.ok)
        throw new Error(`${gatewayUrl} could not restart its engine: ${resumed.status} ${body.slice(0, 200)}`);
      say(`the Switchyard at ${gatewayUrl} serves its engine again`);
    },
  };
}
