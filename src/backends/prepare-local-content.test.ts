import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../test/support/canonical-request.js";
import { DOCUMENTED_BLOCKS } from "../../test/support/documented-blocks.js";
import type { CanonicalMessage, OpaquePart } from "../core/canonical.js";
import { opaqueBlockText } from "./opaque-block-text.js";
import { prepareLocalContent } from "./prepare-local-content.js";

const opaque = (raw: Record<string, unknown> & { type: string }): OpaquePart => ({
  type: "opaque",
  blockType: raw.type,
  raw,
});
const user = (...parts: CanonicalMessage["parts"]): CanonicalMessage => ({ role: "user", parts });
const answer: CanonicalMessage = { role: "assistant", parts: [{ type: "text", text: "ok" }] };
const ask: CanonicalMessage = user({ type: "text", text: "and now?" });
const hologram = opaque({ type: "hologram", data: "x" });
const corruptPdf = opaque({
  type: "document",
  source: { type: "base64", media_type: "application/pdf", data: Buffer.from("not a pdf").toString("base64") },
});

describe("prepareLocalContent", () => {
  it("extracts a PDF's text so the converters can read it", async () => {
    const pdf = opaque(DOCUMENTED_BLOCKS.base64PdfDocument);
    await prepareLocalContent(
      canonicalRequest({ messages: [user(pdf, { type: "text", text: "summarize" })] }),
      "local",
    );
    expect(opaqueBlockText(pdf)).toBe("Switchyard reads the text layer of this PDF.");
  });

  it("refuses a block the model cannot read on the turn that brings it, naming the block", async () => {
    await expect(
      prepareLocalContent(canonicalRequest({ messages: [user({ type: "text", text: "see" }, hologram)] }), "vllm"),
    ).rejects.toMatchObject({
      status: 400,
      message: "messages.0.content.1: hologram blocks are not supported by the local backend 'vllm'",
    });
    await expect(
      prepareLocalContent(canonicalRequest({ messages: [user(corruptPdf)] }), "local"),
    ).rejects.toMatchObject({
      message: "messages.0.content.0: document blocks with PDF data are not supported by the local backend 'local'",
    });
  });

  it("names a block inside a tool result by its nested path", async () => {
    const messages: CanonicalMessage[] = [
      user({ type: "text", text: "search" }),
      { role: "assistant", parts: [{ type: "tool_call", id: "t1", name: "Search", input: {} }] },
      user({
        type: "tool_result",
        toolCallId: "t1",
        content: [{ type: "text", text: "found" }, hologram],
        isError: false,
      }),
    ];
    await expect(prepareLocalContent(canonicalRequest({ messages }), "local")).rejects.toMatchObject({
      message: "messages.2.content.0.content.1: hologram blocks are not supported by the local backend 'local'",
    });
  });

  it("lets the same blocks pass once they are history: later turns are never broken by them", async () => {
    const messages = [user(hologram, corruptPdf, opaque(DOCUMENTED_BLOCKS.urlPdfDocument)), answer, ask];
    await expect(prepareLocalContent(canonicalRequest({ messages }), "local")).resolves.toBeUndefined();
  });
});
