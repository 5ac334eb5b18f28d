import { z } from "zod";

/**
 * The OpenAI Responses request as clients send it (https://platform.openai.com/docs/api-reference/responses/create;
 * Codex CLI speaks nothing else since `wire_api = "chat"` was removed). Objects are loose: fields we do not
 * use (`store`, `include`, `client_metadata`, `service_tier`, …) are accepted and ignored; fields we use are
 * checked. Optional scalars are nullish: clients send explicit nulls for unset fields.
 *
 * Input items are checked one by one in parse-responses-request.ts, so that an item type newer than this
 * code can be kept whole (an opaque part) rather than refused.
 */
const inputText = z.looseObject({ type: z.literal("input_text"), text: z.string() });
const inputImage = z.looseObject({
  type: z.literal("input_image"),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});
const inputFile = z.looseObject({
  type: z.literal("input_file"),
  file_data: z.string().nullish(),
  file_id: z.string().nullish(),
  file_url: z.string().nullish(),
  filename: z.string().nullish(),
});
export const inputContentPart = z.discriminatedUnion("type", [inputText, inputImage, inputFile]);

const CONTENT = "expected a string or an array of content parts";

export const inputMessage = z.looseObject({
  type: z.literal("message").optional(),
  role: z.enum(["user", "system", "developer"]),
  content: z.union([z.string(), z.array(inputContentPart)], CONTENT),
});

const outputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });
export const outputMessage = z.looseObject({
  type: z.literal("message").optional(),
  role: z.literal("assistant"),
  // A client replaying a conversation may give an assistant turn as a plain string (EasyInputMessage).
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [outputText, refusal, inputText]))], CONTENT),
});

export const functionCall = z.looseObject({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  /** Set on a call to a tool of a `namespace` tool (Codex's sub-agent tools). */
  namespace: z.string().nullish(),
  arguments: z.string(),
});

export const functionCallOutput = z.looseObject({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(inputContentPart)], CONTENT),
});

export const customToolCall = z.looseObject({
  type: z.literal("custom_tool_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  input: z.string(),
});

export const customToolCallOutput = z.looseObject({
  type: z.literal("custom_tool_call_output"),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(inputContentPart)], CONTENT),
});

const reasoningText = z.looseObject({ type: z.string(), text: z.string() });
export const reasoning = z.looseObject({
  type: z.literal("reasoning"),
  summary: z.array(reasoningText).nullish(),
  content: z.array(reasoningText).nullish(),
  encrypted_content: z.string().nullish(),
});

export const functionTool = z.looseObject({
  type: z.literal("function"),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** A tool whose input is free text, not JSON (Codex's `apply_patch` for some models), optionally with a grammar. */
export const customTool = z.looseObject({
  type: z.literal("custom"),
  name: z.string().min(1),
  description: z.string().nullish(),
  format: z.looseObject({ type: z.string() }).nullish(),
});

/** Tools grouped under one name (Codex's `multi_agent_v1`); calls to them name the namespace. */
export const namespaceTool = z.looseObject({
  type: z.literal("namespace"),
  name: z.string().min(1),
  description: z.string().nullish(),
  tools: z.array(z.discriminatedUnion("type", [functionTool, customTool])),
});

/**
 * Any tool, by its type; `function`, `custom` and `namespace` tools are then checked by their own schema
 * (responses-tools.ts), so a malformed one is refused rather than taken for a tool OpenAI runs itself.
 */
const anyTool = z.looseObject({ type: z.string().min(1) });

const toolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.looseObject({ type: z.enum(["function", "custom"]), name: z.string().min(1) }),
  // `allowed_tools` and hosted tool types: the model chooses, as with "auto".
  z.looseObject({ type: z.string() }),
]);

const textFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    name: z.string().nullish(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())], "expected a string or an array of input items"),
  instructions: z.string().nullish(),
  tools: z.array(anyTool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stream: z.boolean().nullish(),
  reasoning: z
    .looseObject({
      effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
      summary: z.string().nullish(),
    })
    .nullish(),
  text: z.looseObject({ format: textFormat.nullish() }).nullish(),
  previous_response_id: z.string().nullish(),
  conversation: z.unknown().optional(),
  background: z.boolean().nullish(),
  prompt_cache_key: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type FunctionTool = z.infer<typeof functionTool>;
export type CustomTool = z.infer<typeof customTool>;
export type InputContentPart = z.infer<typeof inputContentPart>;
