import { roughTokens, type ScriptedTurn } from "./scripted-turn.js";

/**
 * A scripted turn as an OpenAI Chat Completions stream, shaped like the API reference's streaming example
 * (https://platform.openai.com/docs/api-reference/chat-streaming; recorded copies in test/fixtures/openai/):
 * a role chunk, content (and `reasoning_content`, the field llama-server and vLLM stream thinking in), tool
 * call chunks with the id and name first and the arguments after, a finish-reason chunk, a usage chunk when
 * `stream_options.include_usage` asks for one, and `data: [DONE]`.
 */
export function openAITurnSse(
  turn: ScriptedTurn,
  options: { model: string; completionId: string; inputText: string; includeUsage: boolean },
) {
  const created = 1_767_225_600; // fixed, so re-recording changes nothing the client sees but what it sends
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id: options.completionId,
    object: "chat.completion.chunk",
    created,
    model: options.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const chunks: Array<Record<string, unknown>> = [chunk({ role: "assistant", content: "" })];
  let outputText = "";
  if (turn.thinking !== undefined) {
    chunks.push(chunk({ reasoning_content: turn.thinking }));
    outputText += turn.thinking;
  }
  if (turn.text !== undefined) {
    chunks.push(chunk({ content: turn.text }));
    outputText += turn.text;
  }
  (turn.toolCalls ?? []).forEach((call, index) => {
    const json = JSON.stringify(call.input);
    chunks.push(
      chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }),
    );
    chunks.push(chunk({ tool_calls: [{ index, function: { arguments: json } }] }));
    outputText += json;
  });
  const finishReason = (turn.toolCalls?.length ?? 0) > 0 ? "tool_calls" : "stop";
  chunks.push(chunk({}, finishReason));
  if (options.includeUsage) {
    const promptTokens = roughTokens(options.inputText);
    const completionTokens = roughTokens(outputText);
    chunks.push({
      id: options.completionId,
      object: "chat.completion.chunk",
      created,
      model: options.model,
      choices: [],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }
  return `${chunks.map((payload) => `data: ${JSON.stringify(payload)}\n\n`).join("")}data: [DONE]\n\n`;
}
