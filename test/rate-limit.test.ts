import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import {
  DOCUMENTED_MODELS_LIST,
  documentedError,
  type OpenAIProtocolServer,
  startOpenAIProtocolServer,
} from "./support/openai-protocol-server.js";
import { waitForTurns } from "./support/turn-records.js";

/** The rate-limit headers OpenAI documents (https://platform.openai.com/docs/guides/rate-limits, "Rate limits in headers"). */
const LIMITS = {
  "retry-after": "7",
  "x-ratelimit-limit-requests": "60",
  "x-ratelimit-remaining-requests": "0",
  "x-ratelimit-reset-requests": "1s",
};

describe("a rate-limited OpenAI-compatible cloud", () => {
  let cloud: OpenAIProtocolServer;
  let running: RunningSwitchyard;
  beforeAll(async () => {
    cloud = await startOpenAIProtocolServer({
      script: (request) =>
        request.path === "/v1/models" ? { status: 200, json: DOCUMENTED_MODELS_LIST } : documentedError(429, LIMITS),
    });
    running = await startSwitchyard({
      config: configSchema.parse({
        backends: [{ name: "nim", type: "openai-compatible", url: `${cloud.url}/v1`, apiKey: "nvapi-test" }],
        telemetry: { turnsFile: join(mkdtempSync(join(tmpdir(), "switchyard-turns-")), "turns.jsonl") },
      }),
      port: 0,
      probeLocal: false,
    });
  });
  afterAll(async () => {
    await running?.close();
    await cloud?.close();
  });

  it.each([
    ["/v1/chat/completions", "rate_limit_error", { model: "model-id-0", messages: [{ role: "user", content: "hi" }] }],
    [
      "/v1/messages",
      "rate_limit_error",
      { model: "model-id-0", max_tokens: 64, messages: [{ role: "user", content: "hi" }] },
    ],
  ])(
    "answers %s with 429, the client's error shape and Retry-After, and records the limits",
    async (path, type, body) => {
      const before = running.recorder.recent().length;
      const response = await fetch(`${running.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...body, stream: true }),
      });
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("7");
      const error = (await response.json()) as { error: { type: string; message: string } };
      expect(error.error.type).toBe(type);
      expect(error.error.message).toBe("nim: Rate limit reached for requests");
      const turn = (await waitForTurns(running.recorder, before + 1)).at(-1);
      expect(turn?.status).toBe(429);
      expect(turn?.rateLimit).toEqual({
        retryAfterSeconds: 7,
        headers: {
          "x-ratelimit-limit-requests": "60",
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": "1s",
        },
      });
    },
  );
});
