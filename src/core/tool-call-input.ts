/**
 * The object a tool call's arguments text holds, or `undefined` when it holds none: text that does not
 * parse, or valid JSON that is no object (`[1]`, `"x"`, `null`). Both APIs want an object: Anthropic's
 * `tool_use.input` is one, and an OpenAI function's arguments follow its parameters schema, whose type is
 * `object`. Some clients send "" for no arguments; that is `{}`.
 */
export function toolArgumentsObject(json: string): Record<string, unknown> | undefined {
  if (json.trim() === "") return {};
  try {
    let input: unknown = JSON.parse(json);
    // Arguments encoded twice (`"{\"command\": \"ls\"}"`), as some fine-tunes write them: the object inside.
    if (typeof input === "string" && input.trimStart().startsWith("{")) input = JSON.parse(input);
    if (typeof input === "object" && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  } catch {}
  return undefined;
}

/**
 * A tool call's arguments text as the canonical input object. Arguments that are no JSON object are kept
 * as `{_unparsed_arguments: "<the text>"}`. A call cut at the output limit reaches the client unfinished
 * (`{`, seen from the Responses door on the tool-call test model), and a client that keeps it in its
 * history must not find every later turn of the session refused for it (llama-server refuses such a
 * history outright). The Anthropic door answers such a call in the same form.
 */
export function toolCallInput(json: string): Record<string, unknown> {
  return toolArgumentsObject(json) ?? { _unparsed_arguments: json };
}
