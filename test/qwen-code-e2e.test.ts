import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fillerNote } from "./support/filler-note.js";
import { useGatewayOnSmallContext } from "./support/gateway-in-front.js";
import { qwenSandbox, runQwen } from "./support/qwen-code.js";
import { SCRIPTED_ANSWER, SCRIPTED_TOOL_OUTPUT } from "./support/tool-call-families.js";
import { startToolLoop, type ToolLoop } from "./support/tool-loop.js";

/**
 * The real Qwen Code CLI (npm @qwen-code/qwen-code, its OpenAI provider) through Switchyard on the real
 * llama-server. Qwen Code names no session, so Switchyard tells it by the fingerprint of its prompt
 * (test/fixtures/qwen-code/README.md).
 */
describe("Qwen Code through Switchyard", () => {
  let loop: ToolLoop;
  beforeAll(async () => {
    loop = await startToolLoop("Qwen3.5-4B.jinja", "run_shell_command");
  });
  afterAll(async () => {
    await loop?.close();
  });

  it("runs the tool, and a session resumed with -c stays in its session and slot", async () => {
    const root = qwenSandbox();
    const first = await runQwen(root, loop.gateway.url, ["run the tool"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(SCRIPTED_ANSWER);
    // The call, then its output in the next request, as Qwen Code reports a command ("Output: …").
    const [call, result] = loop.upstreamRequests();
    expect(call?.messages.at(-1)?.role).toBe("user");
    const tool = result?.messages.find((message) => message.role === "tool");
    expect(JSON.stringify(tool?.content)).toContain(`Output: ${SCRIPTED_TOOL_OUTPUT}`);
    const second = await runQwen(root, loop.gateway.url, ["-c", "once more"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(SCRIPTED_ANSWER);

    // The call, the answer, the resumed session's answer (then, in a session of its own, Qwen Code's
    // memory extraction). The resumed history has the first prompt without its date reminder.
    const turns = loop.gateway.recorder
      .recent()
      .filter((turn) => turn.sessionId === loop.gateway.recorder.recent()[0]?.sessionId);
    expect(turns.map((turn) => turn.status)).toEqual([200, 200, 200]);
    expect(new Set(turns.map((turn) => turn.slot)).size).toBe(1);
    const [, answer, resumed] = turns;
    // All but the reminder it lost (~60 tokens) and what follows it came from the cache.
    expect(resumed?.reusedTokens).toBeGreaterThan((answer?.promptTokens ?? 0) - 400);
  });
});

/**
 * Qwen Code on a local context of 24,576 tokens: its own prompt is about 19,000 and each turn here adds
 * about 3,000, so the second turn overflows. Switchyard answers at once in OpenAI's words
 * (`context_length_exceeded`), which Qwen Code knows: it compresses the conversation (a side request)
 * and answers. Straight to llama-server it does not know the server's own error
 * ("request (N tokens) exceeds the available context size"), and every turn after fails.
 */
describe("Qwen Code outgrowing a local context", () => {
  const gateway = useGatewayOnSmallContext(24576);

  it("compresses the conversation when Switchyard answers that it is too long, and goes on", async () => {
    const running = gateway();
    const input = [1, 2, 3]
      .map((index) => JSON.stringify({ type: "user", message: { role: "user", content: fillerNote(index) } }))
      .join("\n");
    const flags = ["--input-format", "stream-json", "--output-format", "stream-json"];
    const run = await runQwen(qwenSandbox(), running.url, flags, `${input}\n`);
    expect(run.code, run.stderr).toBe(0);
    const results = run.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string; subtype?: string; is_error?: boolean })
      .filter((event) => event.type === "result");
    expect(results.map((result) => result.is_error)).toEqual([false, false, false]);
    const outcomes = running.recorder
      .recent(100_000)
      .map((turn) => `${turn.laneKind}:${turn.status === 200 ? "ok" : turn.error?.code}`)
      .join(" ");
    // The overflow (Qwen Code tries once more), its summary of the conversation, and the answer.
    expect(outcomes).toMatch(/main:context_overflow (main:context_overflow )?side:ok main:ok/);
  }, 600_000);
});
