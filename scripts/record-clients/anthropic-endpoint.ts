import { anthropicTurnSse } from "./anthropic-turn-sse.js";
import type { CaptureAnswer, CapturedRequest, CaptureScript } from "./capture-server.js";
import type { ScriptedTurn } from "./scripted-turn.js";
import { contentText, type SessionScript, scriptedAnswer } from "./session-scripts.js";

interface MessagesBody {
  model?: string;
  messages?: Array<{ role?: unknown; content?: unknown }>;
  thinking?: { type?: string; display?: string };
  tools?: unknown[];
  output_config?: { format?: { type?: string; schema?: { properties?: Record<string, unknown> } } };
}

const json = (status: number, body: unknown): CaptureAnswer => ({
  status,
  contentType: "application/json",
  body: JSON.stringify(body),
});

/** https://docs.claude.com/en/api/errors, "Error shapes". */
const notFound = (request: CapturedRequest) =>
  json(404, {
    type: "error",
    error: { type: "not_found_error", message: `Not found: ${request.method} ${request.url}` },
  });

/** Claude Code's compaction prompt (2.1.332 `/compact`) asks for the summary in `<summary>` tags. */
const COMPACTION_REQUEST = /create a detailed summary of the conversation/i;
const COMPACTION_SUMMARY =
  "<analysis>The user asked about a small app; it was read with Bash.</analysis>\n<summary>1. Primary request: say what src/app.js does.\n2. Finding: it prints hello.\n3. Pending: nothing.</summary>";

/** A structured-output request (`output_config.format` json_schema, e.g. the session title): one string per property. */
function structuredAnswer(body: MessagesBody): ScriptedTurn | undefined {
  const format = body.output_config?.format;
  if (format?.type !== "json_schema") return undefined;
  const properties = Object.keys(format.schema?.properties ?? {});
  return { text: JSON.stringify(Object.fromEntries(properties.map((name) => [name, "Scripted session"]))) };
}

function messagesAnswer(body: MessagesBody, scripts: Record<string, SessionScript>, workdir: string): ScriptedTurn {
  const messages = body.messages ?? [];
  const structured = structuredAnswer(body);
  if (structured) return structured;
  if (COMPACTION_REQUEST.test(contentText(messages.at(-1)?.content))) return { text: COMPACTION_SUMMARY };
  // A request without tools is a side task (a title, a summary): it gets a plain answer, never a step.
  if ((body.tools?.length ?? 0) === 0) return { text: "Scripted session" };
  const turn = scriptedAnswer(scripts, messages, workdir, { text: "Done." });
  // Thinking only where the request allows it, as the API does.
  if (body.thinking?.type === "disabled" || body.thinking === undefined) return { ...turn, thinking: undefined };
  return turn;
}

/**
 * The Anthropic side of the scripted endpoint (Claude Code). Besides the Messages stream it answers the
 * routes Claude Code probes the way api.anthropic.com does (see test/fixtures/claude-code/README.md).
 */
export function anthropicEndpoint(scripts: Record<string, SessionScript>, workdir: string): CaptureScript {
  let answered = 0;
  return (request) => {
    const path = request.url.split("?")[0];
    if ((request.method === "HEAD" || request.method === "GET") && path === "/api/hello") return { status: 200 };
    if (request.method === "POST" && path === "/v1/messages/count_tokens") {
      return json(200, { input_tokens: Math.ceil(JSON.stringify(request.body).length / 4) });
    }
    if (request.method !== "POST" || path !== "/v1/messages") return notFound(request);
    const body = (request.body ?? {}) as MessagesBody;
    answered += 1;
    return {
      status: 200,
      contentType: "text/event-stream; charset=utf-8",
      body: anthropicTurnSse(messagesAnswer(body, scripts, workdir), {
        model: body.model ?? "unknown",
        messageId: `msg_capture_${String(answered).padStart(4, "0")}`,
        inputText: JSON.stringify(request.body),
        thinkingDisplay: body.thinking?.display,
      }),
    };
  };
}
