/**
 * An ESTIMATE of a prompt's tokens from the /api/chat body that would be sent: the characters of the
 * messages' text and of the tools' JSON over 4 (English text and code run at about 4 characters a
 * token with today's BPE vocabularies), plus a few tokens per message for the template's role markers.
 *
 * The fallback of OllamaBackend.countTokens when it cannot count exactly: Ollama has no tokenize
 * endpoint, and renders prompts with its own Go template or built-in renderer (not the GGUF's Jinja
 * template), so an exact count needs Ollama's rendering and the model's GGUF vocabulary. Callers label
 * the number as an estimate.
 */
const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;

interface BodyMessage {
  content?: string;
  thinking?: string;
  tool_calls?: unknown[];
  images?: unknown[];
}

export function estimateOllamaTokens(body: Record<string, unknown>): number {
  const messages = (body.messages as BodyMessage[] | undefined) ?? [];
  let characters = body.tools === undefined ? 0 : JSON.stringify(body.tools).length;
  for (const message of messages) {
    characters += (message.content?.length ?? 0) + (message.thinking?.length ?? 0);
    if (message.tool_calls) characters += JSON.stringify(message.tool_calls).length;
  }
  return Math.ceil(characters / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE * messages.length;
}
