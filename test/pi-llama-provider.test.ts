import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { piEnv } from "../src/clients/pi-env.js";
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
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  /** pi reads the catalog, then answers a --print prompt with the model it found; what it stored. */
  async function catalogAndTurn(root: string, env: NodeJS.ProcessEnv = {}) {
    const catalog = (await refreshPiCatalog(root, "llama.cpp", env)) as { models: StoredModel[] };
    const info = (await (await fetch(`${gateway.url}/v1/switchyard/info`)).json()) as {
      contextWindow: number;
      models: string[];
    };
    const model = catalog.models.find((entry) => entry.id === info.models[0]);
    expect(model).toMatchObject({ baseUrl: `${gateway.url}/v1`, contextWindow: info.contextWindow, reasoning: true });

    const before = gateway.recorder.recent().length;
    const flags = ["--print", "--model", `llama.cpp/${model?.id}`, "--no-context-files", "--no-skills"];
    const run = await runPi([...flags, "--session", join(root, "sessions", "s.jsonl"), "say hi"], root, 120_000, env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Switchyard test net");
    const turns = gateway.recorder.recent().slice(before);
    expect(turns).toMatchObject([{ endpoint: "chat_completions", status: 200, client: "pi 1.6.0" }]);
  }

  it("after /login llama.cpp with Switchyard's URL: lists its model with its context and thinking, and answers", async () => {
    const root = piSandbox(gateway.url, []);
    // What `/login llama.cpp` stores: the server's URL and no key.
    writeFileSync(
      join(root, "agent", "auth.json"),
      JSON.stringify({ "llama.cpp": { type: "api_key", env: { LLAMA_BASE_URL: gateway.url } } }),
    );
    await catalogAndTurn(root);
  });

  it("with the environment `switchyard env --client pi` prints, the same", async () => {
    await catalogAndTurn(
      piSandbox(gateway.url, []),
      piEnv({ baseUrl: gateway.url, apiKey: undefined, contextWindow: undefined }),
    );
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
