import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createBackend } from "../../src/backends/registry/backend-registry.js";
import {
  startVllmProtocolServer,
  VLLM_FIXTURE_DIR,
  VLLM_MODEL,
  VLLM_MODELS_LIST,
  vllmError,
  vllmTokenizeAnswer,
} from "../support/vllm-protocol-server.js";
import { describeBackendConformance } from "./backend-conformance.js";
import { bytesIntoEvent, startLoopbackRig } from "./loopback-rig.js";

const cutPoint = bytesIntoEvent(readFileSync(join(VLLM_FIXTURE_DIR, "reasoning-stream.sse"), "utf8"), 3);
/** vLLM's context-length rejection (`serving_engine.py`, `_validate_input`), for a 40000-token request. */
const TOO_LONG =
  "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens in the messages, Please reduce the length of the messages.";

describeBackendConformance({
  name: "vLLM (loopback, wire format from vLLM's source)",
  kind: "vllm",
  expectedModels: [VLLM_MODEL],
  start: () =>
    startLoopbackRig({
      startServer: (script) => startVllmProtocolServer({ script }),
      backend: (url) => createBackend({ name: "vllm", type: "vllm", url }),
      model: VLLM_MODEL,
      fixedAnswers: (request) => {
        if (request.path === "/v1/models") return { status: 200, json: VLLM_MODELS_LIST };
        if (request.path === "/tokenize") return vllmTokenizeAnswer([151644, 872, 198, 25, 9707, 13, 151645]);
        return undefined;
      },
      stages: {
        text: { response: { status: 200, sse: "reasoning-stream" } },
        thinking: { response: { status: 200, sse: "reasoning-stream" } },
        "tool-call": { response: { status: 200, sse: "tool-stream" } },
        "max-tokens": { response: { status: 200, sse: "length-stream" } },
        "cache-hit": { response: { status: 200, sse: "tool-stream" } },
        "cache-unreported": { response: { status: 200, sse: "reasoning-stream" } },
        "http-error": { response: vllmError(400, TOO_LONG), errorKind: "invalid_request" },
        cut: { response: { status: 200, sse: "reasoning-stream", cutAfterBytes: cutPoint } },
        hold: { response: { status: 200, sse: "reasoning-stream", holdAfterBytes: cutPoint } },
      },
    }),
});
