/**
 * The Messages API's documented request validation that cross-model history runs into, for the loopback
 * Anthropic server. Each rule cites where it comes from. Messages quoted from the real API (seen in public
 * bug reports) are kept verbatim; the others say so.
 */

/** What the server signed: thinking signatures → the thinking text they cover, and redacted_thinking data. */
export class IssuedThinking {
  private readonly signatures = new Map<string, string>();
  private readonly redacted = new Set<string>();

  /**
   * Remembers the thinking in a stream the server sent: a `thinking` block's text (its `thinking_delta`s)
   * under the signature of its `signature_delta`, and each `redacted_thinking` block's `data`.
   */
  rememberStream(sse: string): void {
    const text = new Map<number, string>();
    for (const line of sse.split(/\r?\n/)) {
      if (!line.startsWith("data:")) continue;
      let event: {
        type?: string;
        index?: number;
        delta?: { type?: string; thinking?: string; signature?: string };
        content_block?: { type?: string; thinking?: string; data?: string };
      };
      try {
        event = JSON.parse(line.slice(5));
      } catch {
        continue;
      }
      const index = event.index ?? 0;
      if (event.type === "content_block_start" && event.content_block?.type === "thinking")
        text.set(index, event.content_block.thinking ?? "");
      if (event.type === "content_block_start" && event.content_block?.type === "redacted_thinking")
        this.redacted.add(event.content_block.data ?? "");
      if (event.type === "content_block_delta" && event.delta?.type === "thinking_delta")
        text.set(index, (text.get(index) ?? "") + (event.delta.thinking ?? ""));
      if (event.type === "content_block_delta" && event.delta?.type === "signature_delta" && event.delta.signature)
        this.signatures.set(event.delta.signature, text.get(index) ?? "");
    }
  }

  /** The signature was issued here, for exactly this text. */
  signed(signature: unknown, thinking: unknown): boolean {
    return typeof signature === "string" && this.signatures.get(signature) === thinking;
  }

  redactedIssued(data: unknown): boolean {
    return typeof data === "string" && this.redacted.has(data);
  }
}

interface Block {
  type?: unknown;
  id?: unknown;
  thinking?: unknown;
  signature?: unknown;
  data?: unknown;
}

interface Body {
  max_tokens?: unknown;
  temperature?: unknown;
  top_p?: unknown;
  top_k?: unknown;
  tool_choice?: { type?: unknown };
  thinking?: { type?: unknown; budget_tokens?: unknown };
  messages?: Array<{ role?: unknown; content?: unknown }>;
}

const EXTENDED_THINKING_DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking";

const blocksOf = (message: { content?: unknown } | undefined): Block[] =>
  Array.isArray(message?.content) ? (message.content as Block[]) : [];

/** Thinking on or off, and the parameters thinking forbids. */
function thinkingParameterViolation(body: Body): string | undefined {
  const mode = body.thinking?.type;
  if (mode === "enabled") {
    const budget = body.thinking?.budget_tokens;
    // "budget_tokens … must be ≥1024 and less than max_tokens": Messages API reference, `thinking`
    // (https://docs.claude.com/en/api/messages), and the extended-thinking page, "How to use extended
    // thinking". Wording approximated.
    if (typeof budget !== "number" || budget < 1024)
      return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
    if (typeof body.max_tokens === "number" && body.max_tokens <= budget)
      return `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${EXTENDED_THINKING_DOCS}#max-tokens-and-context-window-size`;
    // "Limit tool choice to auto or none in manual mode: tool_choice options that force tool use return an
    // error with manual extended thinking" (https://platform.claude.com/docs/en/build-with-claude/thinking,
    // "Thinking with tool use"); adaptive thinking may force tool use. Wording approximated.
    const choice = body.tool_choice?.type;
    if (choice === "any" || choice === "tool") return "Thinking may not be enabled when tool_choice forces tool use.";
  }
  if (mode === "enabled" || mode === "adaptive") {
    // "Thinking isn't compatible with temperature or top_k modifications … you can set top_p to values
    // between 1 and 0.95" (https://platform.claude.com/docs/en/build-with-claude/thinking, "Sampling
    // parameters"; the extended-thinking page, "Feature compatibility"). Wording approximated.
    if (body.temperature !== undefined && body.temperature !== 1)
      return `\`temperature\` may only be set to 1 when thinking is enabled. Please consult our documentation at ${EXTENDED_THINKING_DOCS}#feature-compatibility`;
    if (body.top_k !== undefined)
      return `\`top_k\` is not supported when thinking is enabled. Please consult our documentation at ${EXTENDED_THINKING_DOCS}#feature-compatibility`;
    if (typeof body.top_p === "number" && (body.top_p < 0.95 || body.top_p > 1))
      return `\`top_p\` must be between 0.95 and 1 when thinking is enabled. Please consult our documentation at ${EXTENDED_THINKING_DOCS}#feature-compatibility`;
  }
  return undefined;
}

/** Blocks that must be the server's own, and ids in the documented shape. */
function blockViolation(messages: NonNullable<Body["messages"]>, issued: IssuedThinking): string | undefined {
  for (const [index, message] of messages.entries()) {
    for (const [at, block] of blocksOf(message).entries()) {
      // "This field is used to verify that thinking blocks were generated by Claude when passed back to the
      // API" (https://platform.claude.com/docs/en/build-with-claude/thinking, "Thinking encryption"). Verbatim
      // message as the real API answers it (Switchyard issue 14; opencode#6418, copilot-api#73).
      if (block.type === "thinking" && !issued.signed(block.signature, block.thinking))
        return `messages.${index}.content.${at}: Invalid \`signature\` in \`thinking\` block`;
      // "redacted_thinking blocks are decrypted when passed back to the API" (same page, "Thinking
      // redaction"): data the server did not issue cannot be decrypted. Wording approximated.
      if (block.type === "redacted_thinking" && !issued.redactedIssued(block.data))
        return `messages.${index}.content.${at}: Invalid \`data\` in \`redacted_thinking\` block`;
      // `tool_use.id` "Pattern: ^[a-zA-Z0-9_-]+$" (https://docs.claude.com/en/api/messages, content block
      // `tool_use`). Wording as pydantic phrases a pattern failure, like the API's other field errors.
      if (block.type === "tool_use" && !(typeof block.id === "string" && /^[a-zA-Z0-9_-]+$/.test(block.id)))
        return `messages.${index}.content.${at}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
    }
  }
  return undefined;
}

/** Where thinking blocks must, or must not, stand. */
function thinkingPlacementViolation(body: Body, messages: NonNullable<Body["messages"]>): string | undefined {
  const mode = body.thinking?.type;
  const last = messages.findLastIndex((message) => message.role === "assistant");
  const blocks = blocksOf(messages[last]);
  const first = blocks[0]?.type;
  // The real API's error, verbatim (quoted in anomalyco/opencode#3077 and OpenRouterTeam/ai-sdk-provider#162);
  // the extended-thinking page: "you must include the complete unmodified block back to the API for the last
  // assistant turn" when using tools. Adaptive thinking lets Claude skip thinking in a tool loop, so a tool_use
  // turn without thinking is a shape Claude produces there itself: checked for manual mode only.
  if (
    mode === "enabled" &&
    blocks.some((block) => block.type === "tool_use") &&
    first !== "thinking" &&
    first !== "redacted_thinking"
  )
    return `messages.${last}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at ${EXTENDED_THINKING_DOCS}`;
  // The real API's error, verbatim (tailcallhq/forgecode#1853): a prefilled final assistant message may not
  // hold thinking while thinking is off.
  const finalIndex = messages.length - 1;
  const final = messages[finalIndex];
  if (
    mode !== "enabled" &&
    mode !== "adaptive" &&
    final?.role === "assistant" &&
    blocksOf(final).some((block) => block.type === "thinking" || block.type === "redacted_thinking")
  )
    return `messages.${finalIndex}.content.0: When thinking is disabled, an \`assistant\` message in the final position cannot contain \`thinking\`. To use thinking blocks, enable \`thinking\` in your request.`;
  return undefined;
}

/** The first rule a Messages request breaks (the message of a `400 invalid_request_error`), or undefined. */
export function anthropicRequestViolation(raw: unknown, issued: IssuedThinking): string | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const body = raw as Body;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return (
    thinkingParameterViolation(body) ?? blockViolation(messages, issued) ?? thinkingPlacementViolation(body, messages)
  );
}

/**
 * A count_tokens body against its documented parameters (https://docs.claude.com/en/api/messages-count-tokens):
 * `model` and `messages` are required, and the Messages parameters that shape the answer rather than the
 * prompt (`max_tokens`, `stream`) are not among them. Messages are the API's own wording for a parameter
 * it does not take ("Extra inputs are not permitted") and for a missing one ("Field required").
 */
export function countTokensViolation(raw: unknown): string | undefined {
  if (!raw || typeof raw !== "object") return "request body must be a JSON object (not quoted from the API)";
  const body = raw as Record<string, unknown>;
  for (const field of ["model", "messages"]) if (!(field in body)) return `${field}: Field required`;
  for (const field of ["max_tokens", "stream"]) if (field in body) return `${field}: Extra inputs are not permitted`;
  return undefined;
}
