import type { OpaquePart } from "../core/canonical.js";
import { pdfTextIfExtracted } from "./pdf-text.js";

/**
 * What a model without Anthropic's block types reads in place of a block kept whole. Documented shapes
 * (platform.claude.com/docs: "PDF support", "Citations", "Search results"):
 * - `document` with `source.type: "text"` (`data`, `media_type: text/plain`) or `"content"` (a string or
 *   text blocks), optional `title` and `context`: its text, under its title;
 * - `document` with a base64 PDF (`media_type: application/pdf`): the PDF's text, extracted once
 *   (pdf-text.ts), under its title;
 * - `search_result` (`source`, `title`, `content` text blocks): its title, source and text.
 * Anything else (a PDF by URL or file id, a PDF without a text layer, a newer block type) becomes a
 * short placeholder saying what was there. The same block gives the same text on every turn, so a
 * prompt that holds it stays append-only.
 */
export function opaqueBlockText(part: OpaquePart): string {
  return readableText(part) ?? placeholder(part);
}

/** The block's text when a local model can read it; undefined when only a placeholder can stand in. */
export function readableText(part: OpaquePart): string | undefined {
  const raw = part.raw as Record<string, unknown>;
  if (part.blockType === "search_result") {
    const lines = [`Search result: ${stringOf(raw.title) ?? ""}`, `Source: ${stringOf(raw.source) ?? ""}`];
    return [...lines, textOfBlocks(raw.content)].join("\n");
  }
  if (part.blockType !== "document") return undefined;
  const source = (raw.source ?? {}) as Record<string, unknown>;
  let body: string | undefined;
  if (source.type === "text") body = stringOf(source.data);
  else if (source.type === "content") body = textOfBlocks(source.content);
  else if (source.type === "base64" && source.media_type === "application/pdf")
    body = pdfTextIfExtracted(stringOf(source.data) ?? "");
  if (body === undefined) return undefined;
  const heading = [stringOf(raw.title), stringOf(raw.context)].filter((line) => line !== undefined && line !== "");
  return [...heading, body].join("\n");
}

/** What the block is, in a few words a 400 or a placeholder can name. */
export function describeBlock(part: OpaquePart): string {
  if (part.blockType !== "document") return `${part.blockType} blocks`;
  const source = ((part.raw as Record<string, unknown>).source ?? {}) as Record<string, unknown>;
  if (source.media_type === "application/pdf" || source.type === "url" || source.type === "file")
    return `document blocks with PDF data${source.type === "base64" ? "" : ` (by ${String(source.type)})`}`;
  return `document blocks with a ${String(source.type)} source`;
}

function placeholder(part: OpaquePart): string {
  const title = stringOf((part.raw as Record<string, unknown>).title);
  return `[${part.blockType}${title ? ` "${title}"` : ""} omitted: ${describeBlock(part)} cannot be read by this model]`;
}

const stringOf = (value: unknown) => (typeof value === "string" ? value : undefined);

/** A string, or the text of a list of blocks (other blocks in it are left out). */
function textOfBlocks(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .flatMap((block) =>
      block && typeof block === "object" && (block as { type?: unknown }).type === "text"
        ? [stringOf((block as { text?: unknown }).text) ?? ""]
        : [],
    )
    .join("\n");
}
