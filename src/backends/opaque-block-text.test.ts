import { describe, expect, it } from "vitest";
import { DOCUMENTED_BLOCKS, ONE_PAGE_PDF } from "../../test/support/documented-blocks.js";
import type { OpaquePart } from "../core/canonical.js";
import { describeBlock, opaqueBlockText, readableText } from "./opaque-block-text.js";
import { extractPdfTexts } from "./pdf-text.js";

const part = (raw: Record<string, unknown> & { type: string }): OpaquePart => ({
  type: "opaque",
  blockType: raw.type,
  raw,
});

describe("opaqueBlockText: Anthropic's documented blocks as a local model reads them", () => {
  it("a plain text document: its title, context and text", () => {
    expect(opaqueBlockText(part(DOCUMENTED_BLOCKS.plainTextDocument))).toBe(
      "My Document\nThis is a trustworthy document.\nThe grass is green. The sky is blue.",
    );
  });

  it("a custom content document: its title, context and text blocks", () => {
    expect(opaqueBlockText(part(DOCUMENTED_BLOCKS.customContentDocument))).toBe(
      "Document Title\nContext about the document that will not be cited from\nFirst chunk\nSecond chunk",
    );
  });

  it("a search result: its title, source and text", () => {
    expect(opaqueBlockText(part(DOCUMENTED_BLOCKS.searchResult))).toBe(
      "Search result: Article Title\nSource: https://example.com/article\nThe actual content of the search result...",
    );
  });

  it("a base64 PDF: the text of its pages, once extracted", async () => {
    const pdf = part(DOCUMENTED_BLOCKS.base64PdfDocument);
    await extractPdfTexts([ONE_PAGE_PDF]);
    expect(readableText(pdf)).toBe("Switchyard reads the text layer of this PDF.");
  });

  it("a PDF by URL, or a block type it does not know: a placeholder naming it, the same every time", () => {
    const url = part(DOCUMENTED_BLOCKS.urlPdfDocument);
    expect(readableText(url)).toBeUndefined();
    expect(opaqueBlockText(url)).toBe(
      "[document omitted: document blocks with PDF data (by url) cannot be read by this model]",
    );
    const hologram = part({ type: "hologram", data: "x" });
    expect(opaqueBlockText(hologram)).toBe("[hologram omitted: hologram blocks cannot be read by this model]");
    expect(opaqueBlockText(hologram)).toBe(opaqueBlockText(part({ type: "hologram", data: "x" })));
    expect(describeBlock(part(DOCUMENTED_BLOCKS.base64PdfDocument))).toBe("document blocks with PDF data");
  });
});
