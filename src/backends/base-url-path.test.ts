import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../util/free-port.js";
import { AnthropicBackend } from "./anthropic/anthropic-backend.js";
import type { Backend } from "./backend.js";
import { LlamaServerBackend } from "./llama-server/llama-server-backend.js";
import { OllamaBackend } from "./ollama/ollama-backend.js";

/**
 * A backend URL with a path (a server behind a reverse proxy at `/llama`, llama-server's `--api-prefix`,
 * a company's gateway at `/anthropic`): every request goes under that path. Before, llama-server's and
 * Anthropic's URLs were refused ("invalid url"), and Ollama's path was dropped.
 */
describe("backends at a base URL with a path", () => {
  let server: Server;
  let origin: string;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? "");
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ data: [{ id: "m" }], models: [{ name: "m" }], has_more: false }));
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const cases: Array<[string, (base: string) => Backend, string]> = [
    ["llama-server", (base) => new LlamaServerBackend({ name: "l", baseUrl: `${base}/llama/` }), "/llama/v1/models"],
    ["Ollama", (base) => new OllamaBackend({ name: "o", baseUrl: `${base}/ollama` }), "/ollama/api/tags"],
    [
      "Anthropic",
      (base) => new AnthropicBackend({ name: "a", baseUrl: `${base}/anthropic`, apiKey: "k" }),
      "/anthropic/v1/models?limit=100",
    ],
  ];

  it.each(cases)("%s sends its requests under the URL's path", async (_kind, create, path) => {
    const backend = create(origin);
    try {
      expect(await backend.listModels(AbortSignal.timeout(5_000))).toEqual(["m"]);
      expect(paths.at(-1)).toBe(path);
    } finally {
      await backend.close();
    }
  });
});
