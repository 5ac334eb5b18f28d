import type { CanonicalRequest, OpaquePart } from "../core/canonical.js";
import { invalidRequest } from "../core/errors.js";
import { describeBlock, readableText } from "./opaque-block-text.js";
import { extractPdfTexts } from "./pdf-text.js";

/** The code of the refusal: another backend of the chain (Anthropic) may take the block. */
export const UNSUPPORTED_CONTENT = "unsupported_content";

/** Each block kept whole, with where it sits in the client's body (`messages.3.content.0`, `….content.1.content.0`). */
function* opaqueBlocks(request: CanonicalRequest): Generator<{ part: OpaquePart; message: number; path: string }> {
  // This walks every part of every request: no entry pairs, and a path only for a block found.
  let index = 0;
  for (const message of request.messages) {
    let position = 0;
    for (const part of message.parts) {
      if (part.type === "opaque") yield { part, message: index, path: `messages.${index}.content.${position}` };
      if (part.type === "tool_result") {
        let inner = 0;
        for (const item of part.content) {
          if (item.type === "opaque")
            yield { part: item, message: index, path: `messages.${index}.content.${position}.content.${inner}` };
          inner++;
        }
      }
      position++;
    }
    index++;
  }
}

function base64Pdf(part: OpaquePart): string | undefined {
  if (part.blockType !== "document") return undefined;
  const source = (part.raw as { source?: { type?: unknown; media_type?: unknown; data?: unknown } }).source;
  return source?.type === "base64" && source.media_type === "application/pdf" && typeof source.data === "string"
    ? source.data
    : undefined;
}

/**
 * Readies a request's kept-whole blocks for a backend that cannot take them as they are (every backend
 * but Anthropic): extracts its PDFs' text, then refuses a block the model could not read when the turn
 * that brings it is this one (the last message), naming the block. The same block further back in the
 * history is not refused: it becomes a placeholder (opaque-block-text.ts), so one unreadable block
 * never breaks the session's later turns.
 */
export async function prepareLocalContent(request: CanonicalRequest, backendName: string): Promise<void> {
  const blocks = [...opaqueBlocks(request)];
  if (blocks.length === 0) return;
  await extractRequestPdfs(request);
  const newest = request.messages.length - 1;
  for (const { part, message, path } of blocks) {
    if (message === newest && readableText(part) === undefined) {
      throw invalidRequest(
        `${path}: ${describeBlock(part)} are not supported by the local backend '${backendName}'`,
        UNSUPPORTED_CONTENT,
      );
    }
  }
}

/** Extracts the text of the request's base64 PDFs (for a count that reads the prompt as the answer will). */
export async function extractRequestPdfs(request: CanonicalRequest): Promise<void> {
  await extractPdfTexts([...opaqueBlocks(request)].flatMap(({ part }) => base64Pdf(part) ?? []));
}
