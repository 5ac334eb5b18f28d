import { createHash } from "node:crypto";

/**
 * Text extracted from base64 PDFs for models that cannot read a PDF, with unpdf (a serverless build of
 * Mozilla's PDF.js, no native code). Extraction is asynchronous and the prompt converters are not, so
 * a request's PDFs are extracted first (`extractPdfTexts`) and the converters read the result
 * (`pdfTextIfExtracted`). Results are kept by the PDF's bytes: a PDF in the history is extracted once,
 * and gives the same text on every later turn.
 */
const MAX_KEPT = 64;

/**
 * Extracted text by the SHA-256 of the base64 data (a PDF may be megabytes: the key must not keep it
 * alive); undefined where the PDF has no text or could not be read.
 */
const extracted = new Map<string, string | undefined>();

const keyOf = (base64: string) => createHash("sha256").update(base64).digest("base64");

export function pdfTextIfExtracted(base64: string): string | undefined {
  return extracted.get(keyOf(base64));
}

/** Extracts each PDF not tried before; never throws (an unreadable PDF is left without text). */
export async function extractPdfTexts(pdfs: Iterable<string>): Promise<void> {
  for (const base64 of pdfs) {
    const key = keyOf(base64);
    if (extracted.has(key)) continue;
    const text = await extract(base64).catch(() => undefined);
    if (extracted.size >= MAX_KEPT) extracted.delete(extracted.keys().next().value as string);
    extracted.set(key, text);
  }
}

async function extract(base64: string): Promise<string | undefined> {
  const { extractText, getDocumentProxy } = await import("unpdf");
  const document = await getDocumentProxy(new Uint8Array(Buffer.from(base64, "base64")), { verbosity: 0 });
  const { text } = await extractText(document, { mergePages: true });
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}
