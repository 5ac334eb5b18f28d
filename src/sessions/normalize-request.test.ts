import { describe, expect, it } from "vitest";
import { DOCUMENTED_BLOCKS } from "../../test/support/documented-blocks.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { normalizeForCache } from "./normalize-request.js";

describe("normalizeForCache: blocks kept whole", () => {
  it("drops a document's moving cache_control marker, so the same document is the same part every turn", () => {
    const document = DOCUMENTED_BLOCKS.plainTextDocument;
    const turn = (block: Record<string, unknown>) =>
      normalizeForCache(
        parseAnthropicRequest({ model: "m", max_tokens: 10, messages: [{ role: "user", content: [block] }] }),
      ).messages[0]?.parts;
    expect(turn({ ...document, cache_control: { type: "ephemeral" } })).toEqual(turn(document));
    expect(turn(document)).toEqual([{ type: "opaque", blockType: "document", raw: document }]);
  });
});
