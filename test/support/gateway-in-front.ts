import { expect } from "vitest";
import { configSchema } from "../../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../../src/gateway/start-switchyard.js";
import type { TurnRecord } from "../../src/telemetry/turn-record.js";

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
