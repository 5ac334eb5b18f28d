import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CanonicalEvent } from "../../core/canonical.js";
import { familyById } from "../../families/model-families.js";
import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import { readCompletionStream, UNPARSED_TOOL_CALL } from "./read-completion-stream.js";

/** Raw SSE recorded from a real llama-server; fixtures/README.md says how. */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const SYNTAX = familyById("deepseek-v3.2")?.render?.output as OutputSyntax;
/** The ends of the prompts those streams answered. */
const AFTER_USER = "<｜User｜>Run the tool.<｜Assistant｜><think>";
const AFTER_TOOL = "</function_results>\n\n<think>";

async function* bytes(text: string, size: number): AsyncGenerator<Uint8Array> {
  const data = new TextEncoder().encode(text);
  for (let offset = 0; offset < data.length; offset += size) yield data.slice(offset, offset + size);
}

async function read(text: string, prompt: string, size = 7): Promise<CanonicalEvent[]> {
  const events: CanonicalEvent[] = [];
  const context = { id: "msg_test", model: "m", backendName: "local", syntax: SYNTAX, prompt };
  for await (const event of readCompletionStream(bytes(text, size), context)) events.push(event);
  return events;
}

/** The blocks the events build, as {type, text or name and input}. */
function blocks(events: CanonicalEvent[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const event of events) {
    if (event.type === "block_start") {
      out[event.index] =
        event.block.type === "tool_call"
          ? { type: "tool_call", name: event.block.name, json: "" }
          : { ...event.block, text: "" };
    } else if (event.type === "block_delta") {
      const block = out[event.index] as Record<string, string>;
      if (event.delta.type === "text" || event.delta.type === "thinking") block.text += event.delta.text;
      if (event.delta.type === "tool_input") block.json += event.delta.json;
    }
  }
  return out.map((block) =>
    block.type === "tool_call" ? { ...block, json: JSON.parse(block.json as string) } : block,
  );
}

describe("readCompletionStream on recorded DeepSeek V3.2 output", () => {
  it("reads the reasoning and the DSML tool call, whatever the chunking, and stops for tool use", async () => {
    for (const size of [1, 7, 4096]) {
      const events = await read(fixture("deepseek-v3.2-tool-call.sse"), AFTER_USER, size);
      expect(blocks(events)).toEqual([
        { type: "thinking", text: "Calling the tool now." },
        { type: "tool_call", name: "Bash", json: { command: "echo switchyard-tool-ran" } },
      ]);
      const done = events.at(-1);
      expect(done).toMatchObject({ type: "done", stopReason: { unified: "tool_use", raw: "eos" } });
    }
  });

  it("reads the answer after a tool result (the request llama-server's own parser fails), with usage from timings", async () => {
    const events = await read(fixture("deepseek-v3.2-answer.sse"), AFTER_TOOL);
    expect(blocks(events)).toEqual([
      { type: "thinking", text: "The tool has run." },
      { type: "text", text: "The command ran; its output is above. Done." },
    ]);
    const start = events[0];
    expect(start).toMatchObject({ type: "message_start", usage: { inputTokens: 97, cacheReadTokens: 327 } });
    expect(events.at(-1)).toMatchObject({
      type: "done",
      stopReason: { unified: "end_turn", raw: "eos" },
      // Events 1–6 read inside the reasoning block: "The tool has run" and `.</`, `think`, held back as the
      // start of `</think>`; the seventh (`>The`) closes it.
      usage: { inputTokens: 97, cacheReadTokens: 327, outputTokens: 18, reasoningTokens: 6 },
    });
  });

  it("passes a tool-call block it cannot read on as text, and the stop reason says so", async () => {
    // The recorded call cut off inside its arguments: the stream as the malformed script's model ends it.
    const recorded = fixture("deepseek-v3.2-tool-call.sse").split("\n\n");
    const cut = [...recorded.slice(0, 40), ...recorded.slice(-2)].join("\n\n");
    const events = await read(cut, AFTER_USER);
    const found = blocks(events);
    expect(found.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect(found[1]?.text).toMatch(/^<｜DSML｜function_calls>\n<｜DSML｜invoke name="Bash">/);
    expect(events.at(-1)).toMatchObject({
      type: "done",
      stopReason: { unified: "end_turn", raw: `eos; ${UNPARSED_TOOL_CALL}` },
    });
  });

  it("a stream that ends before its last event ends with an error event, not a throw", async () => {
    const recorded = fixture("deepseek-v3.2-answer.sse").split("\n\n");
    const events = await read(recorded.slice(0, 10).join("\n\n"), AFTER_TOOL);
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "stream_truncated" } });
  });
});
