import type { CaptureAnswer, CaptureScript } from "./capture-server.js";
import { openAITurnSse } from "./openai-turn-sse.js";
import { type SessionScript, scriptedAnswer } from "./session-scripts.js";

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role?: unknown; content?: unknown }>;
  tools?: unknown[];
}

/** `ErrorResponse` in OpenAI's OpenAPI spec (github.com/openai/openai-openapi, components/schemas). */
const error = (status: number, message: string, type: string): CaptureAnswer => ({
  status,
  contentType: "application/json",
  body: JSON.stringify({ error: { message, type, param: null, code: null } }),
});

/** The OpenAI Chat Completions side of the scripted endpoint (pi, opencode). */
export function openAIEndpoint(scripts: Record<string, SessionScript>, workdir: string): CaptureScript {
  let answered = 0;
  return (request) => {
    const path = request.url.split("?")[0];
    if (request.method !== "POST" || path !== "/v1/chat/completions") {
      return error(404, `Unknown request URL: ${request.method} ${path}`, "invalid_request_error");
    }
    const body = (request.body ?? {}) as ChatBody;
    if (body.stream !== true) return error(400, "the scripted endpoint only streams", "invalid_request_error");
    answered += 1;
    // A request without tools is a side task (opencode's session title): it gets a plain answer, never a step.
    const turn =
      (body.tools?.length ?? 0) === 0
        ? { text: "Scripted session" }
        : scriptedAnswer(scripts, body.messages ?? [], workdir, { text: "Done." });
    return {
      status: 200,
      contentType: "text/event-stream; charset=utf-8",
      body: openAITurnSse(turn, {
        model: body.model ?? "unknown",
        completionId: `chatcmpl-capture-${String(answered).padStart(4, "0")}`,
        inputText: JSON.stringify(request.body),
        includeUsage: body.stream_options?.include_usage === true,
      }),
    };
  };
}
