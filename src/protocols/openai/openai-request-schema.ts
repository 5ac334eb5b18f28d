import { z } from "zod";

/**
 * The OpenAI Chat Completions request as clients send it
 * (https://platform.openai.com/docs/api-reference/chat/create). Objects are loose: fields we do not know
 * (logprobs, seed, penalties, vendor extensions) are accepted and ignored; fields we use are checked.
 * Optional scalars are nullish because many OpenAI clients send explicit nulls for unset fields.
 */
const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const imageUrlPart = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.string().nullish() }),
});
const refusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const CONTENT = "expected a string or an array of content parts";
const textContent = z.union([z.string(), z.array(textPart)], CONTENT);

const systemMessage = z.looseObject({
  role: z.enum(["system", "developer"]),
  content: textContent,
  name: z.string().nullish(),
});

const userMessage = z.looseObject({
  role: z.literal("user"),
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, imageUrlPart]))], CONTENT),
  name: z.string().nullish(),
});

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal("function").optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const assistantMessage = z.looseObject({
  role: z.literal("assistant"),
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, refusalPart]))], CONTENT).nullish(),
  /** llama.cpp and DeepSeek name it `reasoning_content`; OpenRouter and vLLM `reasoning`. */
  reasoning_content: z.string().nullish(),
  reasoning: z.string().nullish(),
  refusal: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
  name: z.string().nullish(),
});

const toolMessage = z.looseObject({
  role: z.literal("tool"),
  tool_call_id: z.string().min(1),
  content: textContent,
});

export const openAIMessage = z.discriminatedUnion("role", [systemMessage, userMessage, assistantMessage, toolMessage]);

const functionTool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const openAIChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(openAIMessage).min(1, "at least one message is required"),
  tools: z.array(functionTool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  /** llama.cpp extension. */
  top_k: z.number().int().min(0).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  n: z.literal(1, "only one choice (n: 1) is supported").nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
  /** DeepSeek / Anthropic-style switch some OpenAI-compatible clients send. */
  thinking: z
    .looseObject({ type: z.enum(["enabled", "disabled", "adaptive"]), budget_tokens: z.number().int().nullish() })
    .nullish(),
  /** llama.cpp extension: passed to the chat template; `enable_thinking` switches reasoning. */
  chat_template_kwargs: z.looseObject({ enable_thinking: z.boolean().nullish() }).nullish(),
  response_format: responseFormat.nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});

export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;
export type OpenAIMessage = z.infer<typeof openAIMessage>;
