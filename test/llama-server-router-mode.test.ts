import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { tokenCounter } from "../src/bench/prompt-tokens.js";
import { targetContextWindow } from "../src/bench/target-context.js";
import { inspectLlamaServer } from "../src/doctor/inspect-llama-server.js";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { freePort } from "../src/util/free-port.js";
import { gatewayInFront, messagesTurn } from "./support/gateway-in-front.js";
import { startUserLlamaServer, type UserLlamaServer } from "./support/user-llama-server.js";

/**
 * llama-server in router mode (no model on its command line; `--models-preset`, `--models-dir`): one
 * URL, and behind it a child process per model, each with its own template, context and slots, loaded
 * on demand. Requests name the model (`"model"` in a POST body, `?model=` on a GET); the router's own
 * /props describes no model. Two presets of the test model: `qwen` with its Qwen3.5 template, `glm` with
 * llama.cpp's GLM-4.7-Flash one, each with two slots.
 */
describe("a llama-server in router mode", () => {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-router-"));
  let server: UserLlamaServer | undefined;
  let gateway: RunningSwitchyard | undefined;

  beforeAll(async () => {
    const presets = join(scratch, "models.ini");
    const glmTemplate = join(inject("llamaSource"), "models", "templates", "GLM-4.7-Flash.jinja");
    writeFileSync(
      presets,
      `version = 1\n\n[qwen]\nmodel = ${inject("testModel")}\n\n[glm]\nmodel = ${inject("testModel")}\nchat-template-file = ${glmTemplate}\n`,
    );
    const port = await freePort();
    server = await startUserLlamaServer(
      port,
      ["--models-preset", presets, "--jinja", "--ctx-size", "4096", "--parallel", "2"],
      { router: true },
    );
    gateway = await gatewayInFront([server.url]);
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const routerJson = async (path: string, body?: unknown) => {
    const response = await fetch(`${server?.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    expect(response.status, path).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  const first = Array.from({ length: 60 }, (_, index) => `line ${index} of the first turn`).join("\n");

  const status = async (model: string) => {
    const { data } = (await routerJson("/v1/models")) as { data: Array<{ id: string; status: { value: string } }> };
    return data.find((entry) => entry.id === model)?.status.value;
  };

  const turn = (session: string, model: string, texts: string[]) =>
    messagesTurn(gateway as RunningSwitchyard, session, texts, { model });

  it("lists the router's models and gives the context of a model, not the router's 0", async () => {
    const info = (await (await fetch(`${gateway?.url}/v1/switchyard/info`)).json()) as {
      contextWindow: number;
      models: string[];
    };
    expect(info.models).toEqual(expect.arrayContaining(["qwen", "glm"]));
    // 4,096 tokens over two slots, as the model's own process reports it.
    expect(info.contextWindow).toBe(2048);
  });

  it("counts tokens exactly with each model's own template and tokenizer", async () => {
    const messages = [{ role: "user", content: "Count me, please." }];
    const counts: Record<string, number> = {};
    for (const model of ["qwen", "glm"]) {
      const response = await fetch(`${gateway?.url}/v1/messages/count_tokens`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, messages }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      counts[model] = ((await response.json()) as { input_tokens: number }).input_tokens;
      // What the model's own process makes of the same conversation (a request without `thinking`).
      const { prompt } = (await routerJson("/apply-template", {
        model,
        messages,
        chat_template_kwargs: { enable_thinking: false },
      })) as { prompt: string };
      const { tokens } = (await routerJson("/tokenize", {
        model,
        content: prompt,
        add_special: true,
        parse_special: true,
      })) as { tokens: unknown[] };
      expect(counts[model], model).toBe(tokens.length);
    }
    expect(counts.qwen).not.toBe(counts.glm);
  });

  it("keeps each model's slots apart: two sessions on one model get its two slots, and keep their prefixes", async () => {
    expect((await turn("a", "qwen", [`session a ${first}`])).slot).toBe(0);
    expect((await turn("b", "qwen", [`session b ${first}`])).slot).toBe(1);
    // The other model's slot 0 is another process's: taking it displaces no lane on qwen.
    expect((await turn("c", "glm", [`session c ${first}`])).slot).toBe(0);
    const again = await turn("a", "qwen", [`session a ${first}`, "noted", "and again"]);
    expect(again.slot).toBe(0);
    expect(again.miss).toBeUndefined();
    expect(again.reusedTokens).toBeGreaterThan(100);

    const backend = (gateway as RunningSwitchyard).backends[0] as LlamaServerBackend;
    const held = (backend.slotSnapshot() ?? []).filter((slot) => slot.lane).map((slot) => `${slot.model}/${slot.slot}`);
    expect(held.sort()).toEqual(["glm/0", "qwen/0", "qwen/1"]);
  });

  it("checks the models it serves without loading one the router has unloaded, and explains the lost cache", async () => {
    await routerJson("/models/unload", { model: "glm" });
    for (let attempt = 0; attempt < 300 && (await status("glm")) !== "unloaded"; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await status("glm")).toBe("unloaded");

    await ((gateway as RunningSwitchyard).backends[0] as LlamaServerBackend).checkServer();
    expect(await status("glm")).toBe("unloaded");
    expect(await status("qwen")).toBe("loaded");

    // Switchyard's own catalog in the router's format (GET /models, what pi's llama.cpp provider reads)
    // lists both as servable, and loads neither.
    const catalog = (await (await fetch(`${gateway?.url}/models`)).json()) as {
      data: Array<{ id: string; status: { value: string }; meta?: { n_ctx: number } }>;
    };
    const entry = (id: string) => catalog.data.find((model) => model.id === id);
    expect(entry("qwen")).toMatchObject({ status: { value: "loaded" }, meta: { n_ctx: 2048 } });
    expect(entry("glm")?.status.value).toBe("loaded");
    expect(await status("glm")).toBe("unloaded");

    // Asked for again, the router loads it, with an empty cache.
    const back = await turn("c", "glm", [`session c ${first}`, "noted", "back again"]);
    expect(await status("glm")).toBe("loaded");
    expect(back.miss?.reason).toBe("cache-emptied");
    expect(back.miss?.explanation).toContain("had its model unloaded by the router");
  });

  it("bench sizes and counts a model of the router (its context, its tokens)", async () => {
    const target = {
      name: "router",
      kind: "llama-server" as const,
      baseUrl: server?.url as string,
      wire: "openai" as const,
      model: "qwen",
      local: true,
      headers: {},
    };
    expect(await targetContextWindow(target)).toBe(2048);
    const messages = [{ role: "user", content: "Count me, please." }];
    const { prompt } = (await routerJson("/apply-template", { model: "qwen", messages })) as { prompt: string };
    const { tokens } = (await routerJson("/tokenize", {
      model: "qwen",
      content: prompt,
      add_special: true,
      parse_special: true,
    })) as { tokens: unknown[] };
    expect(await tokenCounter(target)("Count me, please.")).toEqual({ tokens: tokens.length, exact: true });
  });

  it("doctor inspects the model it is given, and names the ones there are when it is not one", async () => {
    const url = server?.url as string;
    const findings = await inspectLlamaServer(url, "glm");
    expect(findings.find((finding) => finding.check === "router mode")).toMatchObject({ level: "ok" });
    expect(findings.find((finding) => finding.check === "model family")?.detail).toMatch(/^GLM-4\.7/);
    expect(findings.find((finding) => finding.check === "slots")?.detail).toMatch(/^2:/);

    const unknown = await inspectLlamaServer(url, "nope");
    expect(unknown).toEqual([
      expect.objectContaining({
        level: "fail",
        check: "router mode",
        detail: expect.stringMatching(/glm, qwen|qwen, glm/),
      }),
    ]);
  }, 180_000);
});
