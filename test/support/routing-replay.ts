import { type FixtureRequest, replayHeaders } from "./fixtures.js";

interface WireBlock {
  type?: string;
  tool_use_id?: string;
  is_error?: boolean;
}

/**
 * Replays recorded requests with failing tools: the last tool result of each request is marked
 * `is_error`, and stays marked in every later request, as a client's history would. Returns the
 * body sent.
 */
export class FailingToolsReplay {
  private readonly failed = new Set<string>();

  body(request: FixtureRequest): Record<string, unknown> {
    const body = structuredClone(request.body ?? {}) as { messages?: Array<{ content?: unknown }> };
    const results = (body.messages ?? []).flatMap((message) =>
      Array.isArray(message.content)
        ? (message.content as WireBlock[]).filter((block) => block.type === "tool_result")
        : [],
    );
    const last = results.at(-1);
    if (last?.tool_use_id) this.failed.add(last.tool_use_id);
    for (const result of results) if (result.tool_use_id && this.failed.has(result.tool_use_id)) result.is_error = true;
    return body;
  }
}

/** Failed tool results in a row at the end of a wire body, counted on the wire format itself. */
export function trailingWireErrors(body: Record<string, unknown>): number {
  const results = ((body.messages ?? []) as Array<{ content?: unknown }>).flatMap((message) =>
    Array.isArray(message.content)
      ? (message.content as WireBlock[]).filter((block) => block.type === "tool_result")
      : [],
  );
  let count = 0;
  for (let index = results.length - 1; index >= 0 && results[index]?.is_error; index--) count++;
  return count;
}

export function postFixture(
  gatewayUrl: string,
  request: FixtureRequest,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${gatewayUrl}${request.url}`, {
    method: request.method,
    headers: { ...replayHeaders(request), ...headers },
    body: JSON.stringify(body),
  });
}
