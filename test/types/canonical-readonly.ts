import type { CanonicalRequest } from "../../src/core/canonical.js";

/**
 * "Never edit a request value" is the compiler's rule, not only a runtime TypeError on frozen parts:
 * each line below must fail to compile (`npm run check` fails on an unused @ts-expect-error, so a field
 * that loses its `readonly` breaks the check). Type checks only: nothing here runs.
 */
export function editsThatDoNotCompile(request: CanonicalRequest): void {
  // @ts-expect-error the message list is read-only
  request.messages.push({ role: "user", parts: [] });
  // @ts-expect-error a message's parts are read-only
  request.messages[0]?.parts.splice(0, 1);
  // @ts-expect-error a part's fields are read-only
  if (request.messages[0]?.parts[0]?.type === "text") request.messages[0].parts[0].text = "edited";
  // @ts-expect-error a tool call's input is read-only
  if (request.messages[0]?.parts[0]?.type === "tool_call") request.messages[0].parts[0].input.command = "rm";
  // @ts-expect-error tools are read-only
  request.tools[0] = { name: "x", description: "", inputSchema: {} };
  // @ts-expect-error the client's headers are read-only
  request.client.headers["x-switchyard-route"] = "cloud";
  // @ts-expect-error thinking is read-only
  request.thinking.mode = "disabled";
  // @ts-expect-error top-level fields are read-only
  request.maxTokens = 1;
}
