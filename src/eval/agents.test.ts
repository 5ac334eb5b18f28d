import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { claudeCodeEnv } from "../clients/claude-code-env.js";
import { agentGatewayEnv, parseAgent } from "./agents.js";

const home = mkdtempSync(join(tmpdir(), "switchyard-eval-agents-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const tag = { run: "run-1", task: "py-roman" };

describe("agentGatewayEnv: what an agent sends the gateway", () => {
  it("gives Claude Code the run's tag and, for --route cloud, the route header, on every request", () => {
    const env = agentGatewayEnv(parseAgent("claude"), "http://127.0.0.1:4747", home, { tag, route: "cloud" });
    expect(env.ANTHROPIC_CUSTOM_HEADERS?.split("\n")).toEqual([
      "x-switchyard-eval-run: run-1",
      "x-switchyard-eval-task: py-roman",
      "x-switchyard-route: cloud",
    ]);
    expect(env.SWITCHYARD_EVAL_ROUTE).toBe("cloud");
    // The settings `switchyard code` starts Claude Code with, and the sandbox's own.
    expect(env).toMatchObject({
      ...claudeCodeEnv({ baseUrl: "http://127.0.0.1:4747", apiKey: undefined, contextWindow: undefined }),
      IS_SANDBOX: "1",
    });
    expect(env.ANTHROPIC_AUTH_TOKEN).toBe("switchyard");
  });

  it("sends no route header for a backend name, which no header can choose", () => {
    const env = agentGatewayEnv(parseAgent("claude"), "http://127.0.0.1:4747", home, { tag, route: "my-vllm" });
    expect(env.ANTHROPIC_CUSTOM_HEADERS).not.toContain("x-switchyard-route");
  });

  it("writes pi's provider headers as the values themselves, which every pi release sends as they are", () => {
    const env = agentGatewayEnv(parseAgent("pi"), "http://127.0.0.1:4747", home, {
      tag,
      route: "local",
      sessionId: "eval-session-1",
    });
    const models = JSON.parse(readFileSync(join(env.PI_CODING_AGENT_DIR as string, "models.json"), "utf8"));
    expect(models.providers.switchyard.headers).toEqual({
      "x-switchyard-session-id": "eval-session-1",
      "x-switchyard-eval-run": "run-1",
      "x-switchyard-eval-task": "py-roman",
      "x-switchyard-route": "local",
    });
  });

  it("gives Codex a config.toml whose one provider is the Responses door, with the headers in http_headers", () => {
    const env = agentGatewayEnv(parseAgent("codex"), "http://127.0.0.1:4747/", home, {
      tag,
      sessionId: "eval-session-2",
    });
    const config = readFileSync(join(env.CODEX_HOME as string, "config.toml"), "utf8").split("\n");
    expect(config).toContain('base_url = "http://127.0.0.1:4747/v1"');
    expect(config).toContain('wire_api = "responses"');
    expect(config).toContain(
      'http_headers = { "x-switchyard-session-id" = "eval-session-2", "x-switchyard-eval-run" = "run-1", "x-switchyard-eval-task" = "py-roman" }',
    );
    expect(env.SWITCHYARD_API_KEY).toBe("switchyard");
  });
});
