import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opencodeConfig, opencodeSandbox, runOpencode } from "./support/opencode.js";
import { SCRIPTED_ANSWER, TOOL_CALL_FAMILIES } from "./support/tool-call-families.js";
import { expectToolRoundTrip, startToolLoop, type ToolLoop } from "./support/tool-loop.js";

// opencode asks for no reasoning, so Switchyard sends enable_thinking=false: the thinking-off prompt.
const FAMILIES = TOOL_CALL_FAMILIES.filter((family) => family.thinkingOff);

describe.each(FAMILIES)("opencode runs a tool through Switchyard, $family template", ({ template }) => {
  let loop: ToolLoop;
  const root = opencodeSandbox();
  beforeAll(async () => {
    // opencode's shell tool is `bash`, with a `command` argument, as pi's is.
    loop = await startToolLoop(template, "bash");
  });
  afterAll(async () => {
    await loop?.close();
  });

  it("the model asks for bash, opencode runs it, the output goes back, and opencode ends with the answer", async () => {
    // opencode quotes arguments that contain spaces; the words go as separate arguments.
    const run = await runOpencode(
      ["run", "--model", "switchyard/local", "run", "the", "tool"],
      root,
      opencodeConfig(loop.gateway.url),
      240_000,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(SCRIPTED_ANSWER);

    // Besides the title request (no tools), two: the user's prompt, then the call and its output.
    const requests = loop.upstreamRequests().filter((request) => request.tools !== undefined);
    const turns = loop.gateway.recorder.recent().filter((turn) => turn.endpoint === "chat_completions");
    // What went through, should a request arrive twice: each upstream request's last role, each turn's outcome.
    const seen = JSON.stringify({
      upstream: requests.map((request) => request.messages.at(-1)?.role),
      turns: turns.map(({ lane, status, error, stopReason }) => ({ lane, status, error, stop: stopReason?.unified })),
    });
    expect(requests, seen).toHaveLength(2);
    expect(requests[0]?.messages.at(-1)?.role).toBe("user");
    expectToolRoundTrip(requests, "bash");

    expect(turns.every((turn) => turn.status === 200 && turn.error === undefined)).toBe(true);
    const main = turns.filter((turn) => turn.lane === "main");
    expect(main.map((turn) => turn.stopReason?.unified)).toEqual(["tool_use", "end_turn"]);
  });
});
