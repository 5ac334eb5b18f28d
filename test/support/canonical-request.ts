import type { CanonicalRequest } from "../../src/core/canonical.js";

/** A canonical request as tests need one: one user "hi", no tools, streamed; `overrides` set the rest. */
export function canonicalRequest(overrides: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: "claude-sonnet-4-5",
    system: [],
    messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }],
    tools: [],
    toolChoice: undefined,
    maxTokens: 512,
    temperature: undefined,
    topP: undefined,
    topK: undefined,
    stopSequences: [],
    thinking: { mode: "disabled" },
    responseFormat: undefined,
    effort: undefined,
    stream: true,
    client: { protocol: "anthropic", headers: {}, body: {}, userId: undefined },
    ...overrides,
  };
}
