import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import { claudeSandbox, runClaude } from "./support/claude-code.js";
import { codexSandbox, runCodex } from "./support/codex.js";
import { gooseSandbox, runGoose } from "./support/goose.js";
import { opencodeConfig, opencodeSandbox, runOpencode } from "./support/opencode.js";
import { piFlags, piSandbox, runPi } from "./support/pi.js";
import { qwenSandbox, runQwen } from "./support/qwen-code.js";
import { type SlowPrefillProxy, startSlowPrefillProxy } from "./support/slow-prefill-proxy.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

/**
 * A prefill longer than a client's deadline. Straight to llama-server a stream's headers come at once and
 * an SSE comment every 30 s while the prompt is prefilled; Switchyard used to send nothing until the first
 * event, so a CPU prefill longer than a client's deadline (pi: 300 s for the headers and for each silence,
 * as undici's default) failed through it and not without it. Here the prefill is a proxy that holds each
 * generation request in front of the real llama-server (and, asked to, stalls its answer after the first
 * bytes), and the deadlines are scaled down with it.
 */
const PREFILL_MS = 4_000;

describe("a prefill longer than the client's deadline, through Switchyard to the real llama-server", () => {
  let server: UserLlamaServer | undefined;
  let proxy: SlowPrefillProxy | undefined;
  const gateways: RunningSwitchyard[] = [];

  beforeAll(async () => {
    server = await startUserLlamaServer(await freePort(), ["-c", "65536", "-np", "2"]);
    proxy = await startSlowPrefillProxy(server.url, PREFILL_MS);
  }, 120_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await proxy?.close();
    await server?.stop();
  });

  async function gatewayWith(streamKeepAliveMs: number) {
    const gateway = await startSwitchyard({
      config: configSchema.parse({
        backends: [{ name: "local", type: "llama-server", url: proxy?.url }],
        gateway: { streamKeepAliveMs },
        telemetry: { turnsFile: null },
        store: { path: null },
      }),
      host: "127.0.0.1",
      port: 0,
      probeLocal: false,
    });
    gateways.push(gateway);
    return gateway;
  }

  /** Runs `work` with the proxy set as `faults` says (a stall, a cut), and sets it back after. */
  async function withFaults<T>(faults: Partial<Pick<SlowPrefillProxy, "stallMs" | "cutHeld">>, work: () => Promise<T>) {
    if (!proxy) throw new Error("no proxy");
    const before = { stallMs: proxy.stallMs, cutHeld: proxy.cutHeld };
    Object.assign(proxy, faults);
    try {
      return await work();
    } finally {
      Object.assign(proxy, before);
    }
  }

  /** pi 1.6 with its deadline for headers and for silence (`httpIdleTimeoutMs`, 300 s by default) at 1.5 s. */
  async function piWithShortDeadline(gateway: RunningSwitchyard) {
    const root = piSandbox(gateway.url, [
      { id: "local", reasoning: true, input: ["text"], contextWindow: 65536, maxTokens: 256 },
    ]);
    writeFileSync(
      join(root, "agent", "settings.json"),
      JSON.stringify({ retry: { enabled: false }, httpIdleTimeoutMs: 1_500 }),
    );
    return runPi([...piFlags("switchyard/local", join(root, "sessions", "s.jsonl")), "say hi"], root);
  }

  it("pi, whose deadline is shorter than the prefill, gets its answer: the headers, then a comment each 500 ms", async () => {
    const gateway = await gatewayWith(500);
    const run = await piWithShortDeadline(gateway);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim().length).toBeGreaterThan(0);
    const turn = gateway.recorder.recent().find((record) => record.endpoint === "chat_completions");
    expect(turn?.status).toBe(200);
    expect(turn?.error).toBeUndefined();
  });

  it("pi gets its answer through a silence inside the answer too (a tool call read whole, a stalled engine)", async () => {
    const gateway = await gatewayWith(500);
    const run = await withFaults({ stallMs: PREFILL_MS }, () => piWithShortDeadline(gateway));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  /** Claude Code with its request deadline (`API_TIMEOUT_MS`, 10 minutes by default) at 1.5 s and no retries. */
  async function claudeWithShortDeadline(gateway: RunningSwitchyard) {
    const sandbox = claudeSandbox();
    return runClaude(["-p", "say hi", "--max-turns", "1"], {
      baseUrl: gateway.url,
      home: sandbox.home,
      cwd: sandbox.workdir,
      timeoutMs: 120_000,
      env: { API_TIMEOUT_MS: "1500", CLAUDE_CODE_MAX_RETRIES: "0" },
    });
  }

  it("Claude Code, whose deadline is shorter than the prefill, gets its answer (reading through comments inside it too)", async () => {
    // API_TIMEOUT_MS holds for the headers only: a silence inside the answer does not cut it, but the
    // comments sent during one must not trouble it either.
    const gateway = await gatewayWith(500);
    const run = await withFaults({ stallMs: PREFILL_MS }, () => claudeWithShortDeadline(gateway));
    expect(run.code).toBe(0);
    expect(run.stdout.trim().length).toBeGreaterThan(0);
  });

  it("without the keep-alive (0), the same Claude Code times out", async () => {
    const run = await claudeWithShortDeadline(await gatewayWith(0));
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/timed out/i);
  });

  it("without the keep-alive (0), the same pi times out waiting for the headers", async () => {
    const gateway = await gatewayWith(0);
    const run = await piWithShortDeadline(gateway);
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/time(d)? ?out/i);
  });

  it("a failure after the headers went out is the stream's error event, in the client's protocol", async () => {
    const gateway = await gatewayWith(500);
    const { response, text } = await withFaults({ cutHeld: true }, async () => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "local", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      return { response, text: await response.text() };
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(text.startsWith(":\n\n")).toBe(true);
    const data = text.split("\n\n").filter((frame) => frame.startsWith("data: "));
    const error = JSON.parse(data[0]?.slice("data: ".length) ?? "{}") as { error?: { type: string } };
    expect(error.error?.type).toBe("server_error");
    expect(data.at(-1)).toBe("data: [DONE]");
    // The turn is recorded as it failed.
    await vi.waitFor(() =>
      expect(gateway.recorder.recent().find((record) => record.endpoint === "chat_completions")?.error?.code).toBe(
        "backend_unreachable",
      ),
    );
  });

  /**
   * Codex with its deadline for silence between events (`stream_idle_timeout_ms`, 300 s by default) at
   * 1.5 s and no retries. It counts events only: SSE comments do not reset it, so the Responses door's
   * keep-alive is `response.in_progress`.
   */
  async function codexWithShortDeadline(gateway: RunningSwitchyard) {
    return runCodex(codexSandbox(), gateway.url, ["say hi"], {
      provider: "stream_idle_timeout_ms=1500,stream_max_retries=0,request_max_retries=0",
    });
  }

  it("Codex, whose idle deadline is shorter than the prefill and a stall inside the answer, gets its answer", async () => {
    const gateway = await gatewayWith(500);
    const run = await withFaults({ stallMs: PREFILL_MS }, () => codexWithShortDeadline(gateway));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().length).toBeGreaterThan(0);
    const turns = gateway.recorder.recent().filter((record) => record.endpoint === "responses");
    expect(turns.map((record) => [record.status, record.error])).toEqual([[200, undefined]]);
  });

  it("without the keep-alive (0), the same Codex times out in the stall inside the answer", async () => {
    // Codex sets no deadline for the headers: the hold before them alone does not time it out.
    const gateway = await gatewayWith(0);
    const run = await withFaults({ stallMs: PREFILL_MS }, () => codexWithShortDeadline(gateway));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/idle timeout waiting for SSE/);
  });

  /** Runs one client against `gateway` for one short prompt; its exit code. */
  async function runClient(client: string, gateway: RunningSwitchyard): Promise<number | null> {
    if (client === "opencode") {
      const args = ["run", "--model", "switchyard/local", "say", "hi"];
      return (await runOpencode(args, opencodeSandbox(), opencodeConfig(gateway.url))).code;
    }
    if (client === "Goose")
      return (await runGoose(gooseSandbox(), gateway.url, "anthropic", ["run", "--no-session", "-t", "say hi"])).code;
    return (await runQwen(qwenSandbox(), gateway.url, ["say hi"])).code;
  }

  it.each(["opencode", "Goose", "Qwen Code"])(
    "%s reads through the comments, before the first event and inside the answer",
    async (client) => {
      const gateway = await gatewayWith(500);
      // Comments before the first event (the hold) and inside the answer (the stall).
      expect(await withFaults({ stallMs: 1_500 }, () => runClient(client, gateway))).toBe(0);
      const turns = gateway.recorder.recent().filter((record) => record.endpoint !== "count_tokens");
      expect(turns.length).toBeGreaterThan(0);
      expect(turns.every((record) => record.status === 200 && record.error === undefined)).toBe(true);
    },
  );
});
