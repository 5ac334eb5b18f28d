import type { CaptureAnswer, CaptureScript } from "./capture-server.js";
import { responsesTurnSse } from "./responses-turn-sse.js";
import type { ScriptedTurn } from "./scripted-turn.js";
import { type SessionScript, SPAWNED_AGENT, scriptedAnswer } from "./session-scripts.js";

interface ResponsesBody {
  model?: string;
  stream?: boolean;
  input?: unknown;
  tools?: unknown[];
}

/** `ErrorResponse` in OpenAI's OpenAPI spec (github.com/openai/openai-openapi, components/schemas). */
const error = (status: number, message: string, type: string): CaptureAnswer => ({
  status,
  contentType: "application/json",
  body: JSON.stringify({ error: { message, type, param: null, code: null } }),
});

/**
 * Input items as the messages a session script reads: a user message as itself, and each run of the
 * model's items (reasoning, text, calls) as one assistant turn, as the answer that made them was one.
 */
function asMessages(input: unknown): Array<{ role: string; content?: unknown }> {
  if (typeof input === "string") return [{ role: "user", content: input }];
  const messages: Array<{ role: string; content?: unknown }> = [];
  for (const item of Array.isArray(input) ? (input as Array<Record<string, unknown>>) : []) {
    const role = typeof item.role === "string" ? item.role : undefined;
    const modelItem = role === "assistant" || item.type === "reasoning" || item.type === "function_call";
    if (modelItem) {
      if (messages.at(-1)?.role !== "assistant") messages.push({ role: "assistant" });
    } else if (role === "user") messages.push({ role, content: item.content });
    else messages.push({ role: role ?? String(item.type) });
  }
  return messages;
}

/** The `agent_id` in the newest tool output that has one (Codex's answer to `spawn_agent`). */
function spawnedAgent(input: unknown): string | undefined {
  const items = Array.isArray(input) ? (input as Array<{ type?: unknown; output?: unknown }>) : [];
  for (const item of [...items].reverse()) {
    if (item.type !== "function_call_output" || typeof item.output !== "string") continue;
    const id = /"agent_id":"([^"]+)"/.exec(item.output)?.[1];
    if (id) return id;
  }
  return undefined;
}

/** A turn with SPAWNED_AGENT in its calls' inputs replaced by the agent's id. */
function withAgentId(turn: ScriptedTurn, input: unknown): ScriptedTurn {
  if (!turn.toolCalls) return turn;
  const agent = spawnedAgent(input) ?? SPAWNED_AGENT;
  return {
    ...turn,
    toolCalls: turn.toolCalls.map((call) => ({
      ...call,
      input: JSON.parse(JSON.stringify(call.input).replaceAll(SPAWNED_AGENT, agent)) as Record<string, unknown>,
    })),
  };
}

/** The OpenAI Responses side of the scripted endpoint (Codex). */
export function responsesEndpoint(scripts: Record<string, SessionScript>, workdir: string): CaptureScript {
  let answered = 0;
  return (request) => {
    const path = request.url.split("?")[0];
    if (request.method !== "POST" || path !== "/v1/responses") {
      return error(404, `Unknown request URL: ${request.method} ${path}`, "invalid_request_error");
    }
    const body = (request.body ?? {}) as ResponsesBody;
    if (body.stream !== true) return error(400, "the scripted endpoint only streams", "invalid_request_error");
    answered += 1;
    // A request without tools is a side task: it gets a plain answer, never a step.
    const turn =
      (body.tools?.length ?? 0) === 0
        ? { text: "Scripted session" }
        : withAgentId(scriptedAnswer(scripts, asMessages(body.input), workdir, { text: "Done." }), body.input);
    return {
      status: 200,
      contentType: "text/event-stream; charset=utf-8",
      body: responsesTurnSse(turn, {
        model: body.model ?? "unknown",
        responseId: `resp_capture${String(answered).padStart(4, "0")}`,
        inputText: JSON.stringify(request.body),
      }),
    };
  };
}
