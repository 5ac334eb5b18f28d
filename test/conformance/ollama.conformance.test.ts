import { createBackend } from "../../src/backends/registry/backend-registry.js";
import { startLoopbackServer } from "../support/loopback-server.js";
import {
  DOCUMENTED_SHOW,
  DOCUMENTED_TAGS,
  defaultAnswer,
  INPUT_TOO_LONG,
  OLLAMA_LOOPBACK,
  readOllamaFixture,
  toLoopbackResponse,
} from "../support/ollama-protocol-server.js";
import { describeBackendConformance } from "./backend-conformance.js";
import { startLoopbackRig } from "./loopback-rig.js";

/** A little way into the second line of an NDJSON stream: after the first chunk's content, before the end. */
const firstLine = readOllamaFixture("chat-stream").indexOf("\n") + 1;
const cutPoint = firstLine + 10;

/**
 * Ollama cannot run here: a loopback server replays its documented and recorded wire data
 * (test/fixtures/ollama/README.md). Left out, because no recorded or documented Ollama stream shows
 * them: `max-tokens` (a `done_reason: "length"` stream) and `thinking` (the recorded thinking stream
 * ends in tool calls, with no text). `cache-hit` cannot happen: Ollama never reports reuse.
 */
describeBackendConformance({
  name: "Ollama (loopback, Ollama's documented and recorded wire data)",
  kind: "ollama",
  expectedModels: DOCUMENTED_TAGS.models.map((model) => model.name),
  start: () =>
    startLoopbackRig({
      startServer: (script) => startLoopbackServer({ ...OLLAMA_LOOPBACK, script }),
      backend: (url) => createBackend({ name: "ollama", type: "ollama", url }),
      model: "llama3.2:latest",
      fixedAnswers: (request) => {
        // The documented /api/show with the capabilities a tool-calling model lists.
        if (request.path === "/api/show")
          return { status: 200, json: { ...DOCUMENTED_SHOW, capabilities: ["completion", "tools"] } };
        return request.path === "/api/chat" ? undefined : toLoopbackResponse(defaultAnswer(request));
      },
      stages: {
        text: { response: { status: 200, sse: "chat-stream" } },
        "tool-call": { response: { status: 200, sse: "chat-stream-tools" } },
        "cache-unreported": { response: { status: 200, sse: "chat-stream" } },
        "http-error": { response: toLoopbackResponse(INPUT_TOO_LONG), errorKind: "invalid_request" },
        cut: { response: { status: 200, sse: "chat-stream", cutAfterBytes: cutPoint } },
        hold: { response: { status: 200, sse: "chat-stream", holdAfterBytes: cutPoint } },
      },
    }),
});
