import type { ChatMessage } from "../chat-completions/to-chat-messages.js";
import { withMediaMarkers } from "./completion-media.js";
import type { PromptRenderer } from "./render-prompt.js";

/**
 * The `/completion` body for a prompt Switchyard renders, made from the chat body the chat path would
 * send (to-llama-server-body.ts): the same messages, tools and template kwargs rendered by the family's
 * corrected template, and the same sampling settings under `/completion`'s names. The stream adds
 * `id_slot` when it pins the lane to a slot, as on the chat path. With `mediaMarker` (a server that takes
 * images) each image goes as the server's chat path sends it: a marker in the prompt, its bytes apart.
 */
export function toCompletionBody(
  chatBody: Record<string, unknown>,
  renderer: PromptRenderer,
  mediaMarker?: string,
): { prompt: string; body: Record<string, unknown> } {
  const given = chatBody.messages as ChatMessage[];
  const { messages, media } = mediaMarker ? withMediaMarkers(given, mediaMarker) : { messages: given, media: [] };
  const prompt = renderer.render({
    messages,
    tools: (chatBody.tools as unknown[] | undefined) ?? [],
    addGenerationPrompt: true,
    kwargs: (chatBody.chat_template_kwargs as Record<string, unknown> | undefined) ?? {},
  });
  const body: Record<string, unknown> = {
    // Images go apart, one per marker in the prompt (the server's README, `/completion`'s `prompt`).
    prompt: media.length > 0 ? { prompt_string: prompt, multimodal_data: media } : prompt,
    stream: true,
    cache_prompt: true,
    // Timings on every event: prompt tokens prefilled and reused are known at the first token.
    timings_per_token: true,
    n_predict: chatBody.max_tokens ?? chatBody.max_completion_tokens,
  };
  for (const field of ["temperature", "top_p", "top_k", "stop"] as const) {
    if (chatBody[field] !== undefined) body[field] = chatBody[field];
  }
  const format = chatBody.response_format as { json_schema?: { schema?: unknown } } | undefined;
  if (format?.json_schema?.schema) body.json_schema = format.json_schema.schema;
  return { prompt, body };
}
