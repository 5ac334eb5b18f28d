import { describe, expect, it } from "vitest";
import { DOCUMENTED_SHOW } from "../../../test/support/ollama-protocol-server.js";
import { compatFromShow } from "./ollama-compat.js";

describe("compatFromShow", () => {
  it("writes tools as text only for a model that lists capabilities without `tools`", () => {
    // The documented answer is llava's: completion and vision.
    expect(compatFromShow(DOCUMENTED_SHOW).toolsAsText).toBe(true);
    expect(compatFromShow({ ...DOCUMENTED_SHOW, capabilities: ["completion", "tools"] }).toolsAsText).toBe(false);
    // A server too old to list capabilities: the tools go as they are.
    expect(compatFromShow({ ...DOCUMENTED_SHOW, capabilities: undefined }).toolsAsText).toBe(false);
  });
});
