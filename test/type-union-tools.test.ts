import { basename, dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { inspectLlamaServer } from "../src/doctor/inspect-llama-server.js";
import type { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { gooseSessionRoots, replayedStatuses } from "./support/fixtures.js";
import { startGatewayFor } from "./support/gateway-for-backends.js";
import { gooseSandbox, runGoose } from "./support/goose.js";
import { startStockEngine } from "./support/stock-engine.js";
import { SCRIPTED_ANSWER, SCRIPTED_TOOL_OUTPUT } from "./support/tool-call-families.js";
import { startToolLoop, type ToolLoop } from "./support/tool-loop.js";

/**
 * Tool schemas with type unions (`"type": ["integer", "null"]`, what schemars and Pydantic write for an
 * optional field) on the chat path: GigaChat 3's template (`ty in ["number", "integer"]`) raises on them,
 * so every request of Goose's Anthropic provider, which sends its tools that way, failed on a llama-server
 * the user started with it. The backend probes the template once (/apply-template) and, where it refuses
 * a union but renders the single type, sends every request's tools with the unions reduced.
 */
describe("a template that refuses type unions in tool schemas (GigaChat 3), Goose's tools through Switchyard", () => {
  let engine: EngineSupervisor;
  let gateway: RunningSwitchyard;
  beforeAll(async () => {
    engine = await startStockEngine("GigaChat3-10B-A1.8B.jinja", { parallel: 1, ctxSize: 32768, maxRestarts: 0 });
    gateway = await startGatewayFor([{ name: "local", type: "llama-server", url: engine.url }]);
  });
  afterAll(async () => {
    await gateway?.close();
    await engine?.stop();
  });

  it("is probed as refusing them, and doctor says what Switchyard does about it", async () => {
    const backend = new LlamaServerBackend({ name: "probe", baseUrl: engine.url });
    try {
      expect((await backend.compat()).singleSchemaTypes).toBe(true);
    } finally {
      await backend.close();
    }
    const findings = await inspectLlamaServer(engine.url);
    expect(findings).toContainEqual(expect.objectContaining({ level: "ok", check: "tool schemas" }));
  });

  const sessions = gooseSessionRoots().map((root) => [basename(dirname(root)), root] as const);
  it.each(sessions)("every request of %s's tool-session gets 200", async (_release, root) => {
    const statuses = await replayedStatuses(gateway.url, "tool-session", root);
    expect(statuses.length).toBeGreaterThan(2);
    expect(statuses.filter((status) => !status.endsWith(": 200"))).toEqual([]);
  });
});

describe("the real Goose on GigaChat 3's tool-call test model, its Anthropic provider", () => {
  let loop: ToolLoop;
  beforeAll(async () => {
    loop = await startToolLoop("GigaChat3-10B-A1.8B.jinja", "shell");
  });
  afterAll(async () => {
    await loop?.close();
  });

  it("runs its shell tool and answers; the engine gets its tools with single types", async () => {
    const run = await runGoose(gooseSandbox(), loop.gateway.url, "anthropic", ["run", "-t", "run the tool"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(SCRIPTED_ANSWER);
    const requests = loop.upstreamRequests();
    // The call, the answer with the tool's output, and Goose's own request naming the session.
    expect(requests.some((request) => JSON.stringify(request.messages).includes(SCRIPTED_TOOL_OUTPUT))).toBe(true);
    expect(requests.filter((request) => request.tools?.length).length).toBeGreaterThanOrEqual(2);
    const types = JSON.stringify(requests.map((request) => request.tools)).match(/"type":\[/g);
    expect(types).toBeNull();
  });
});

describe("a template that renders type unions (Qwen3.5)", () => {
  let engine: EngineSupervisor;
  beforeAll(async () => {
    engine = await startStockEngine("Qwen3.5-4B.jinja", { parallel: 1, ctxSize: 4096, maxRestarts: 0 });
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it("keeps the client's schemas as they are", async () => {
    const backend = new LlamaServerBackend({ name: "probe", baseUrl: engine.url });
    try {
      expect((await backend.compat()).singleSchemaTypes).toBeUndefined();
    } finally {
      await backend.close();
    }
    const findings = await inspectLlamaServer(engine.url);
    expect(findings.map((finding) => finding.check)).not.toContain("tool schemas");
  });
});
