import { describe, expect, it } from "vitest";
import { readSseEvents } from "./sse-lines.js";

async function collect(chunks: string[]) {
  const out: Array<{ event: string | undefined; data: string }> = [];
  for await (const event of readSseEvents(chunks)) out.push(event);
  return out;
}

describe("readSseEvents", () => {
  it("reassembles events split across chunks at any byte", async () => {
    const text = 'event: a\ndata: {"x":1}\n\n: comment\ndata: line1\r\ndata: line2\r\n\r\ndata: [DONE]\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      expect(await collect([text.slice(0, cut), text.slice(cut)])).toEqual([
        { event: "a", data: '{"x":1}' },
        { event: undefined, data: "line1\nline2" },
        { event: undefined, data: "[DONE]" },
      ]);
    }
  });
  it("yields a last event that lacks its blank line", async () => {
    expect(await collect(["data: tail"])).toEqual([{ event: undefined, data: "tail" }]);
  });
  it("keeps multi-byte characters split across chunks", async () => {
    const bytes = new TextEncoder().encode("data: héllo ✓\n\n");
    const chunks = [bytes.slice(0, 8), bytes.slice(8, 14), bytes.slice(14)];
    const out: string[] = [];
    for await (const event of readSseEvents(chunks)) out.push(event.data);
    expect(out).toEqual(["héllo ✓"]);
  });
});
