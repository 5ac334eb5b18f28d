import { describe, expect, it } from "vitest";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { findDivergence } from "./prefix-diff.js";

const request = (messages: unknown[], system = "sys") =>
  parseAnthropicRequest({ model: "m", max_tokens: 10, system, messages });

describe("findDivergence", () => {
  const turn1 = [{ role: "user", content: "list files" }];
  const turn2 = [
    ...turn1,
    { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "a.txt" }] },
  ];
  it("sees an appended turn as no divergence", () => {
    expect(findDivergence(request(turn1), request(turn2))).toBeUndefined();
  });
  it("names a changed earlier message with both sides", () => {
    const changed = structuredClone(turn2);
    (changed[0] as { content: string }).content = "list all files";
    const divergence = findDivergence(request(turn2), request([...changed, { role: "assistant", content: "ok" }]));
    expect(divergence?.path).toBe("messages[0].content[0]");
    expect(divergence?.before).toContain("list files");
    expect(divergence?.after).toContain("list all files");
  });
  it("sees blocks appended to the previous request's last message as no divergence, and elsewhere as one", () => {
    const compacting = structuredClone(turn2);
    const last = compacting[2] as { content: unknown[] };
    last.content.push({ type: "text", text: "Summarize the conversation so far." });
    expect(findDivergence(request(turn2), request(compacting))).toBeUndefined();
    const grownEarlier = structuredClone([...compacting, { role: "assistant", content: "ok" }]);
    const earlier = grownEarlier[1] as { content: unknown[] };
    earlier.content = [...earlier.content, { type: "text", text: "extra" }];
    expect(findDivergence(request(compacting), request(grownEarlier))?.path).toBe("messages[1].content[1]");
  });
  it("names a changed system block", () => {
    expect(findDivergence(request(turn1, "a"), request(turn2, "b"))?.path).toBe("system[0]");
  });
});
