import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createBackend } from "../../src/backends/registry/backend-registry.js";
import {
  SGLANG_FIXTURE_DIR,
  SGLANG_MODEL,
  SGLANG_MODELS_LIST,
  sglangError,
  startSglangProtocolServer,
} from "../support/sglang-protocol-server.js";
import { describeBackendConformance } from "./backend-conformance.js";
import { bytesIntoEvent, startLoopbackRig } from "./loopback-rig.js";

const cutPoint = bytesIntoEvent(readFileSync(join(SGLANG_FIXTURE_DIR, "text-stream.sse"), "utf8"), 3);

describeBackendConformance({
  name: "SGLang (loopback, wire format from SGLang's source)",
  kind: "sglang",
  expectedModels: [SGLANG_MODEL],
  start: () =>
    startLoopbackRig({
      startServer: (script) => startSglangProtocolServer({ script }),
      backend: (url) => createBackend({ name: "sglang", type: "sglang", url }),
      model: SGLANG_MODEL,
      fixedAnswers: (request) =>
        request.path === "/v1/models" ? { status: 200, json: SGLANG_MODELS_LIST } : undefined,
      stages: {
        text: { response: { status: 200, sse: "text-stream" } },
        thinking: { response: { status: 200, sse: "text-stream" } },
        "tool-call": { response: { status: 200, sse: "tool-stream" } },
        "max-tokens": { response: { status: 200, sse: "length-stream" } },
        "cache-hit": { response: { status: 200, sse: "text-stream" } },
        "cache-unreported": { response: { status: 200, sse: "tool-stream" } },
        "http-error": {
          response: sglangError(
            400,
            "The input (40000 tokens) is longer than the model's context length (32768 tokens).",
          ),
          errorKind: "invalid_request",
        },
        cut: { response: { status: 200, sse: "text-stream", cutAfterBytes: cutPoint } },
        hold: { response: { status: 200, sse: "text-stream", holdAfterBytes: cutPoint } },
      },
    }),
});
