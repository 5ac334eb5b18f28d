import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import { withMediaMarkers } from "./completion-media.js";

const image = (data: string) => ({ type: "image_url" as const, image_url: { url: `data:image/png;base64,${data}` } });
const text = (value: string) => ({ type: "text" as const, text: value });

describe("withMediaMarkers", () => {
  it("joins a message's parts as llama-server does once it holds media: newlines between texts, none at a marker", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "be brief" },
      {
        role: "user",
        content: [text("first"), text("second"), image("AAA"), text("after"), image("BBB"), image("CCC")],
      },
      { role: "user", content: [text("only"), text("text")] },
    ];
    const { messages: out, media } = withMediaMarkers(messages, "<m>");
    expect(out[1]).toEqual({ role: "user", content: "first\nsecond<m>after<m><m>" });
    expect(media).toEqual(["AAA", "BBB", "CCC"]);
    // Messages without media are left as they are, typed parts and all.
    expect(out[0]).toBe(messages[0]);
    expect(out[2]).toBe(messages[2]);
  });

  it("leaves an image given by URL as a line of text, with no data sent for it", () => {
    const messages: ChatMessage[] = [
      { role: "user", content: [text("look"), { type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
    ];
    const { messages: out, media } = withMediaMarkers(messages, "<m>");
    expect(out[0]?.content).toBe("look\n[image at https://example.com/a.png omitted: not fetched]");
    expect(media).toEqual([]);
  });
});
