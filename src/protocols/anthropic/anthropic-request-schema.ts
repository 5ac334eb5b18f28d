import { z } from "zod";

/**
 * The Anthropic Messages request as clients send it. Objects are loose: fields we do not know are
 * accepted and ignored (clients add fields faster than gateways learn them); fields we use are checked.
 */
const cacheControl = z.looseObject({ type: z.string() }).optional();

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string(), cache_control: cacheControl });
const imageBlock = z.looseObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal("url"), url: z.string() }),
  ]),
  cache_control: cacheControl,
});
/** The block types the canonical model takes apart; every other type is kept whole (an `opaque` part). */
export const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set([
  "text",
  "image",
  "thinking",
  "redacted_thinking",
  "tool_use",
  "tool_result",
]);
/** Inside a tool result: documents and search results, kept whole; a known type with the wrong fields is refused. */
const toolResultOpaque = z.looseObject({ type: z.string() }).superRefine((block, context) => {
  if (KNOWN_BLOCK_TYPES.has(block.type))
    context.addIssue({
      code: "custom",
      path: ["type"],
      message: `a ${block.type} block with the wrong fields, or one that cannot stand here`,
    });
});
const thinkingBlock = z.looseObject({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().optional(),
});
const redactedThinkingBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });
const toolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});
const toolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.union([z.discriminatedUnion("type", [textBlock, imageBlock]), toolResultOpaque]))])
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const knownContentBlock = z.discriminatedUnion("type", [
  textBlock,
  imageBlock,
  thinkingBlock,
  redactedThinkingBlock,
  toolUseBlock,
  toolResultBlock,
]);

/**
 * Any other block (`document`, `search_result`, server tool blocks, types newer than this code): only
 * its `type` is checked here; the backend that takes it as it is (Anthropic) checks the rest. A known
 * type that reaches this branch has the wrong fields: its own issues are reported, with their paths.
 */
const opaqueBlock = z.looseObject({ type: z.string() }).superRefine((block, context) => {
  if (!KNOWN_BLOCK_TYPES.has(block.type)) return;
  const known = knownContentBlock.safeParse(block);
  for (const issue of known.error?.issues ?? [])
    context.addIssue({ code: "custom", path: issue.path, message: issue.message });
});

export const anthropicContentBlock = z.union([knownContentBlock, opaqueBlock]);

export const anthropicMessageSchema = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(anthropicContentBlock)]),
});

const tool = z.looseObject({
  name: z.string().min(1),
  type: z.string().optional(),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  cache_control: cacheControl,
});

/** Tool definitions, checked on their own (parse-anthropic-request remembers the result for a frozen list). */
export const anthropicToolsSchema = z.array(tool);

export const anthropicRequestSchema = z.looseObject({
  model: z.string().min(1),
  // Each message is checked on its own (parse-anthropic-request remembers the result for a frozen one).
  messages: z.array(z.unknown()).min(1, "at least one message is required"),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.unknown().optional(),
  tool_choice: z
    .looseObject({
      type: z.enum(["auto", "any", "tool", "none"]),
      name: z.string().optional(),
      disable_parallel_tool_use: z.boolean().optional(),
    })
    .optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  thinking: z
    .looseObject({ type: z.enum(["enabled", "disabled", "adaptive"]), budget_tokens: z.number().int().optional() })
    .optional(),
  output_config: z
    .looseObject({
      effort: z.string().optional(),
      format: z.looseObject({ type: z.string(), schema: z.record(z.string(), z.unknown()).optional() }).optional(),
    })
    .optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  context_management: z.unknown().optional(),
});

export type AnthropicRequest = z.infer<typeof anthropicRequestSchema>;
export type AnthropicTool = z.infer<typeof tool>;
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlock>;
export type AnthropicKnownBlock = z.infer<typeof knownContentBlock>;

/** The count_tokens body: a messages request without max_tokens. */
export const anthropicCountTokensSchema = anthropicRequestSchema.extend({ max_tokens: z.number().int().optional() });
