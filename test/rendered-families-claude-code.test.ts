import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { MODEL_FAMILIES } from "../src/families/model-families.js";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { CURRENT_RECORDINGS, gooseRecordings, replayedStatuses } from "./support/fixtures.js";
import { startGatewayFor } from "./support/gateway-for-backends.js";
import { startStockEngine } from "./support/stock-engine.js";

/**
 * "No family refuses today's Claude Code" (nor Goose), for the families whose prompt Switchyard renders itself: a
 * llama-server started the way users start one (the family's stock template), Switchyard in front, and
 * every request of today's recorded Claude Code sessions (mid-conversation system messages, thinking in
 * history, tool results) replayed through it. Mistral Small 3.2 is why: llama-server answers every one
 * of them with tools 400 on its chat endpoint; rendered by Switchyard and sent to /completion, each gets
 * 200. The test model is not the family's, so only statuses are judged (`max_tokens` cut short).
 * thinking-session is the session the acceptance names: system messages mid-conversation, thinking blocks
 * and tool results in history (basic-session's requests are rendered for every family by
 * model-families.test.ts; replaying them here too cost each family another cold 12K-token prefill).
 */
const RENDERED = MODEL_FAMILIES.filter((family) => family.render).map((family) => [family.id, family] as const);
/**
 * Goose's session too: its tools' schemas hold type unions (`"type": ["integer", "null"]`), on which the
 * stock templates of Gemma 4, Seed-OSS and Hermes 3 raise (docs/design/switchyard-renders.md).
 */
const SESSIONS = [
  { label: "Claude Code's thinking-session", root: CURRENT_RECORDINGS.anthropic[0], session: "thinking-session" },
  { label: "Goose's tool-session", root: gooseRecordings("anthropic"), session: "tool-session" },
];

describe.each(RENDERED)("%s on its stock template, today's Claude Code through Switchyard", (_id, family) => {
  let engine: EngineSupervisor;
  let gateway: RunningSwitchyard;
  beforeAll(async () => {
    engine = await startStockEngine(Object.keys(family.templates)[0] as string, {
      parallel: 2,
      ctxSize: 131072,
      maxRestarts: 0,
    });
    gateway = await startGatewayFor([{ name: "local", type: "llama-server", url: engine.url }]);
  });
  afterAll(async () => {
    await gateway?.close();
    await engine?.stop();
  });

  it.each(SESSIONS)("every request of $label gets 200", async ({ root, session }) => {
    const statuses = await replayedStatuses(gateway.url, session, root);
    expect(statuses.length).toBeGreaterThan(2);
    expect(statuses.filter((status) => !status.endsWith(": 200"))).toEqual([]);
  });
});
