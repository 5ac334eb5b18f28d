import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../../test/support/canonical-request.js";
import { DOCUMENTED_BLOCKS } from "../../../test/support/documented-blocks.js";
import { toAnthropicBody } from "./to-anthropic-body.js";

describe("toAnthropicBody: blocks kept whole", () => {
  it("writes each back as the client sent it, in a turn and in a tool result", () => {
    const { searchResult, base64PdfDocument } = DOCUMENTED_BLOCKS;
    const request = canonicalRequest({
      client: { protocol: "openai", headers: {}, body: {}, userId: undefined },
      messages: [
        { role: "user", parts: [{ type: "opaque", blockType: "document", raw: base64PdfDocument }] },
        { role: "assistant", parts: [{ type: "tool_call", id: "toolu_1", name: "Search", input: {} }] },
        {
          role: "user",
          parts: [
            {
              type: "tool_result",
              toolCallId: "toolu_1",
              content: [{ type: "opaque", blockType: "search_result", raw: searchResult }],
              isError: false,
            },
          ],
        },
      ],
    });
    const messages = toAnthropicBody(request, "claude-x").messages as Array<{ content: unknown[] }>;
    expect(messages[0]?.content).toEqual([base64PdfDocument]);
    expect(messages[2]?.content).toEqual([
      { type: "tool_result", tool_use_id: "toolu_1", content: [searchResult], is_error: false },
    ]);
  });
});
