import { afterAll, beforeAll, expect } from "vitest";
import { configSchema } from "../../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../../src/gateway/start-switchyard.js";
import type { TurnRecord } from "../../src/telemetry/turn-record.js";
import { freePort } from "../../src/util/free-port.js";
import { startUserLlamaServer, type UserLlamaServer } from "./user-llama-server.js";

/**
 * Switchyard in this process on a free loopback port, in front of the servers at `urls` as
 * `serve --backend URL` puts them (recognised by kind, named backend1, …); no store, no turns file.
 */
export function gatewayInFront(urls: string[], say: (line: string) => void = () => {}): Promise<RunningSwitchyard> {
  return startSwitchyard({
    config: configSchema.parse({ telemetry: { turnsFile: null }, store: { path: null } }),
    host: "127.0.0.1",
    port: 0,
    backendUrls: urls,
    probeLocal: false,
    say,
  });
}

/**
 * For a `describe` block: a llama-server as a user starts it, with one slot and a context of
 * `contextSize` tokens, and a gateway in front of it, started before the block's tests and stopped after.
 * Returns a getter, since the gateway exists only once `beforeAll` has run.
 */
export function useGatewayOnSmallContext(contextSize: number): () => RunningSwitchyard {
  let server: UserLlamaServer | undefined;
  let gateway: RunningSwitchyard | undefined;
  beforeAll(async () => {
    const args = ["--jinja", "--ctx-size", String(contextSize), "--parallel", "1"];
    server = await startUserLlamaServer(await freePort(), args);
    gateway = await gatewayInFront([server.url]);
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
  });
  return () => {
    if (!gateway) throw new Error("the gateway is not started yet");
    return gateway;
  };
}

/**
 * One Messages turn of `session` as Claude Code sends it (its session header; `texts` alternate user and
 * assistant), answered 200: the turn's record.
 */
export async function messagesTurn(
  gateway: RunningSwitchyard,
  session: string,
  texts: string[],
  options: { model?: string; tools?: unknown[] } = {},
): Promise<TurnRecord> {
  const response = await fetch(`${gateway.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-claude-code-session-id": session },
    body: JSON.stringify({
      model: options.model ?? "claude-sonnet-4-5",
      max_tokens: 8,
      ...(options.tools ? { tools: options.tools } : {}),
      messages: texts.map((text, index) => ({ role: index % 2 ? "assistant" : "user", content: text })),
    }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  await response.text();
  const record = gateway.recorder.recent(1)[0];
  if (!record) throw new Error("no turn record");
  return record;
}
