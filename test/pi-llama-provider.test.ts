import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { piSandbox, refreshPiCatalog, runPi } from "./support/pi.js";
import { startTestGateway } from "./support/test-gateway.js";

interface StoredModel {
  id: string;
  baseUrl: string;
  reasoning: boolean;
  contextWindow: number;
}

/**
 * pi's built-in `llama.cpp` provider (pi's docs/llama-cpp.md: `/login llama.cpp`, or `LLAMA_BASE_URL`)
 * speaks to llama.cpp's *router*: it lists `GET /models` (a model must be `loaded`, its context is
 * `meta.n_ctx`), reads `GET /props?model=` for the chat template (thinking on where it has
 * `enable_thinking`), and generates at `/v1`. Pointed at Switchyard it said "Server is not running in
 * llama.cpp router mode"; Switchyard now answers both in the router's format.
 */
describe("pi's built-in llama.cpp provider pointed at Switchyard", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let root: string;
  beforeAll(async () => {
    gateway = await startTestGateway();
    root = piSandbox(gateway.url, []);
    // What `/login llama.cpp` stores: the server's URL and no key.
    writeFileSync(
      join(root, "agent", "auth.json"),
      JSON.stringify({ "llama.cpp": { type: "api_key", env: { LLAMA_BASE_URL: gateway.url } } }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("lists Switchyard's model with its context and thinking, and answers a --print prompt through it", async () => {
    const catalog = (await refreshPiCatalog(root, "llama.cpp")) as { models: StoredModel[] };
    const info = (await (await fetch(`${gateway.url}/v1/switchyard/info`)).json()) as {
      contextWindow: number;
      models: string[];
    };
    const model = catalog.models.find((entry) => entry.id === info.models[0]);
    expect(model).toMatchObject({ baseUrl: `${gateway.url}/v1`, contextWindow: info.contextWindow, reasoning: true });

    const session = join(root, "sessions", "llama.jsonl");
    const flags = ["--print", "--model", `llama.cpp/${model?.id}`, "--no-context-files", "--no-skills"];
    const run = await runPi([...flags, "--session", session, "say hi"], root);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Switchyard test net");
    const turn = gateway.recorder.recent().at(-1);
    expect(turn).toMatchObject({ endpoint: "chat_completions", status: 200, client: "pi 1.6.0" });
  });

  it("refuses /llama's load and unload in words pi shows (its error.message)", async () => {
    for (const action of ["load", "unload"]) {
      const response = await fetch(`${gateway.url}/models/${action}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "local" }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toContain(`does not ${action} models on request`);
    }
  });
});
