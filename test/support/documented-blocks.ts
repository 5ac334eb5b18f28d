import { readFileSync } from "node:fs";
import { join } from "node:path";

/** test/fixtures/content-blocks: Anthropic's documented example of each block type Switchyard keeps whole (README there). */
const DIRECTORY = join(import.meta.dirname, "..", "fixtures", "content-blocks");

type Block = Record<string, unknown> & { type: string };

const documented = JSON.parse(readFileSync(join(DIRECTORY, "documented-blocks.json"), "utf8")) as Record<
  "plainTextDocument" | "customContentDocument" | "searchResult" | "urlPdfDocument" | "base64PdfDocument",
  Block
>;

/** The one-page test PDF, base64 (its text: "Switchyard reads the text layer of this PDF."). */
export const ONE_PAGE_PDF = readFileSync(join(DIRECTORY, "one-page.pdf")).toString("base64");

export const DOCUMENTED_BLOCKS = {
  ...documented,
  base64PdfDocument: {
    ...documented.base64PdfDocument,
    source: { ...(documented.base64PdfDocument.source as object), data: ONE_PAGE_PDF },
  },
};
