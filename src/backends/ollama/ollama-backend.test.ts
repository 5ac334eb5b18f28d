import { afterEach, describe, expect, it } from "vitest";
import {
  DOCUMENTED_SHOW,
  modelNotFound,
  type OllamaProtocolServer,
  type OllamaScript,
  startOllamaProtocolServer,
} from "../../../test/support/ollama-protocol-server.js";
import type { CanonicalEvent, CanonicalRequest } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import { parseAnthropicRequest } from "../../protocols/anthropic/parse-anthropic-request.js";
import { freePort } from "../../util/free-port.js";
import { OllamaBackend, type OllamaOptions } from "./ollama-backend.js";

const servers: OllamaProtocolServer[] = [];
const backends: OllamaBackend[] = [];

afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function setup(script?: OllamaScript, options: Partial<OllamaOptions> = {}) {
  const server = await startOllamaProtocolServer({ script });
  servers.push(server);
  const backend = new OllamaBackend({ name: "ollama", baseUrl: server.url, ...options });
  backends.push(backend);
  return { server, backend };
}

const request = (content = "why is the sky blue?", extra: Record<string, unknown> = {}): CanonicalRequest =>
  parseAnthropicRequest(
    { model: "claude-sonnet-4-5", max_tokens: 256, stream: true, messages: [{ role: "user", content }], ...extra },
    {},
  );

async function collect(events: AsyncIterable<CanonicalEvent>): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const run = (backend: OllamaBackend, model = "llava", signal = new AbortController().signal) =>
  collect(backend.stream(request(), { model, signal }));

const chatBodies = (server: OllamaProtocolServer) =>
  server.requests.filter((sent) => sent.path === "/api/chat").map((sent) => sent.body as Record<string, unknown>);

describe("OllamaBackend", () => {
  it("streams /api/chat with the routed model, a long keep_alive and the Modelfile's num_ctx", async () => {
    const { server, backend } = await setup();
    const events = await run(backend);
    expect(events.at(-1)).toMatchObject({ type: "done", stopReason: { unified: "end_turn" } });
    const [body] = chatBodies(server);
    expect(body).toMatchObject({ model: "llava", stream: true, keep_alive: "60m", options: { num_ctx: 4096 } });
    // The documented model has no `thinking` capability: `think` stays out (Ollama answers 400 to it).
    expect(body).not.toHaveProperty("think");
  });

  it("keeps num_ctx constant for a model: /api/show is asked once, every request sends the same value", async () => {
    const { server, backend } = await setup();
    await run(backend);
    await run(backend);
    await backend.countTokens(request(), { model: "llava", signal: AbortSignal.timeout(5_000) });
    expect(server.requests.filter((sent) => sent.path === "/api/show")).toHaveLength(1);
    expect(chatBodies(server).map((body) => (body.options as { num_ctx?: number }).num_ctx)).toEqual([4096, 4096]);
  });

  it("uses a configured num_ctx and keep_alive over the model's", async () => {
    const { server, backend } = await setup(undefined, { numCtx: 65536, keepAlive: -1 });
    await run(backend);
    expect(chatBodies(server)[0]).toMatchObject({ keep_alive: -1, options: { num_ctx: 65536 } });
    expect(await backend.contextSize()).toBe(65536);
  });

  it("sends think for a thinking model and reads its answer", async () => {
    const { server, backend } = await setup((sent) =>
      sent.path === "/api/show"
        ? { status: 200, json: { ...DOCUMENTED_SHOW, capabilities: ["completion", "tools", "thinking"] } }
        : sent.path === "/api/chat"
          ? { status: 200, ndjson: "qwen35-thinking-tool-calls" }
          : undefined,
    );
    const thinking = request("read both files", { thinking: { type: "adaptive" } });
    const events = await collect(
      backend.stream(thinking, { model: "qwen3.5:35b", signal: AbortSignal.timeout(5_000) }),
    );
    await run(backend, "qwen3.5:35b");
    expect(chatBodies(server).map((body) => body.think)).toEqual([true, false]);
    expect(events.at(-1)).toMatchObject({ type: "done", stopReason: { unified: "tool_use" } });
  });

  it("lists models from /api/tags and reports health from /api/version", async () => {
    const { backend } = await setup();
    expect(await backend.listModels()).toEqual(["deepseek-r1:latest", "llama3.2:latest"]);
    expect(await backend.health()).toEqual({ ok: true, detail: "ollama 0.5.1" });
    expect(await backend.contextSize()).toBe(4096);
  });

  it("throws a not_found SwitchyardError before any event when the model is not pulled", async () => {
    const { backend } = await setup((sent) => (sent.path === "/api/chat" ? modelNotFound("llava") : undefined));
    const failure = await run(backend).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SwitchyardError);
    expect(failure).toMatchObject({ kind: "not_found", status: 404 });
  });

  it("asks /api/show again after it failed, rather than remembering the failure", async () => {
    let shows = 0;
    const { backend } = await setup((sent) =>
      sent.path === "/api/show" && ++shows === 1 ? modelNotFound("llava") : undefined,
    );
    await expect(run(backend)).rejects.toMatchObject({ kind: "not_found" });
    expect((await run(backend)).at(-1)?.type).toBe("done");
  });

  it("ends with a final error event when the connection is cut mid-stream", async () => {
    const { backend } = await setup((sent) =>
      sent.path === "/api/chat" ? { status: 200, ndjson: "chat-stream", cutAfterBytes: 160 } : undefined,
    );
    const events = await run(backend);
    expect(events[0]?.type).toBe("message_start");
    expect(events.at(-1)).toMatchObject({ type: "error", error: { kind: "upstream" } });
  });

  it("aborts the upstream request when the client goes away, ending with an aborted error", async () => {
    const { server, backend } = await setup((sent) =>
      sent.path === "/api/chat" ? { status: 200, ndjson: "chat-stream", chunkBytes: 16 } : undefined,
    );
    const controller = new AbortController();
    const events: CanonicalEvent[] = [];
    for await (const event of backend.stream(request(), { model: "llava", signal: controller.signal })) {
      events.push(event);
      controller.abort();
    }
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "aborted" } });
    expect(events.some((event) => event.type === "done")).toBe(false);
    expect(server.requests.filter((sent) => sent.path === "/api/chat")).toHaveLength(1);
  });

  it("says which server is unreachable when nothing listens", async () => {
    const port = await freePort();
    const backend = new OllamaBackend({ name: "ollama", baseUrl: `http://127.0.0.1:${port}` });
    backends.push(backend);
    await expect(run(backend)).rejects.toMatchObject({ code: "backend_unreachable" });
    const health = await backend.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain(`127.0.0.1:${port}`);
  });

  it("counts tokens as a labelled estimate that grows with the prompt", async () => {
    const { backend } = await setup();
    const options = { model: "llava", signal: AbortSignal.timeout(5_000) };
    const short = await backend.countTokens(request("hi"), options);
    const long = await backend.countTokens(request("why is the sky blue? ".repeat(100)), options);
    expect(short.exact).toBe(false);
    expect(long.tokens).toBeGreaterThan(short.tokens + 400);
  });
});
