import { ownsItsModels, templateServerKind } from "./openai-compatible-kind.js";

export const vllmKind = templateServerKind(
  "vllm",
  {
    label: "vLLM",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: { flag: "--enable-prompt-tokens-details" },
    exactCounts: true,
  },
  {
    describe: "vLLM (owned_by in GET /v1/models)",
    answers: ownsItsModels("vllm"),
    wellKnownUrls: ["http://127.0.0.1:8000"],
  },
);
