import { ownsItsModels, templateServerKind } from "./openai-compatible-kind.js";

export const sglangKind = templateServerKind(
  "sglang",
  {
    label: "SGLang",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: { flag: "--enable-cache-report" },
    exactCounts: false,
  },
  {
    describe: "SGLang (owned_by in GET /v1/models)",
    answers: ownsItsModels("sglang"),
    wellKnownUrls: ["http://127.0.0.1:30000"],
  },
);
