import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { piFlags, piSandbox, runPi } from "./support/pi.js";
import {
  CHAT_PATH_TOOL_CALL_FAMILIES,
  RENDERED_ONE_PER_SYNTAX,
  SCRIPTED_ANSWER,
  SCRIPTED_COMMAND,
  SCRIPTED_TOOL_OUTPUT,
} from "./support/tool-call-families.js";
import { expectToolRoundTrip, startToolLoop, type ToolLoop } from "./support/tool-loop.js";

/**
 * A tool loop on `template` and a pi sandbox in front of it; `run` has pi run the tool once and checks
 * it exited cleanly with the scripted answer. pi's shell tool is `bash` (lower case), with a `command`
 * argument like Claude Code's Bash.
 */
function usePiToolLoop(template: string) {
  let loop: ToolLoop;
  let root: string;
  beforeAll(async () => {
    loop = await startToolLoop(template, "bash");
    root = piSandbox(loop.gateway.url, [
      { id: "local", reasoning: true, input: ["text"], contextWindow: 65536, maxTokens: 2048 },
    ]);
  });
  afterAll(async () => {
    await loop?.close();
  });
  return {
    async run(): Promise<ToolLoop> {
      const session = join(root, "sessions", "session.jsonl");
      const run = await runPi([...piFlags("switchyard/local", session), "run the tool"], root, 240_000);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(SCRIPTED_ANSWER);
      return loop;
    },
  };
}

describe.each(CHAT_PATH_TOOL_CALL_FAMILIES)("pi runs a tool through Switchyard, $family template", ({ template }) => {
  const piLoop = usePiToolLoop(template);

  it("the model asks for bash, pi runs it, the output goes back, and pi ends with the answer", async () => {
    const loop = await piLoop.run();

    // Two requests: the first ends with the user's prompt; the second carries the call and its output.
    const requests = loop.upstreamRequests();
    expect(requests).toHaveLength(2);
    expect(requests[0]?.messages.at(-1)?.role).toBe("user");
    expectToolRoundTrip(requests, "bash");

    const turns = loop.gateway.recorder.recent().filter((turn) => turn.endpoint === "chat_completions");
    expect(turns.map((turn) => turn.stopReason?.unified)).toEqual(["tool_use", "end_turn"]);
    expect(turns.every((turn) => turn.status === 200 && turn.error === undefined)).toBe(true);
  });
});

// The families Switchyard renders: the prompt goes to /completion; the round trip is checked in the
// prompts it rendered (for DeepSeek V3.2, llama-server's own parser would fail the request with the result).
describe.each(RENDERED_ONE_PER_SYNTAX)(
  "pi runs a tool through Switchyard, $family template (Switchyard renders)",
  ({ template, call: callMarker, result }) => {
    const piLoop = usePiToolLoop(template);

    it("the model asks for bash, pi runs it, the output goes back, and pi ends with the answer", async () => {
      const loop = await piLoop.run();

      const prompts = loop.renderedPrompts();
      expect(prompts).toHaveLength(2);
      // The second prompt carries the call in the family's own syntax, then the command's output.
      const second = prompts[1] as string;
      expect(second.startsWith(prompts[0] as string)).toBe(true);
      const call = second.indexOf(callMarker, prompts[0]?.length);
      const argument = second.indexOf(SCRIPTED_COMMAND, call);
      const output = second.indexOf(result, argument);
      const tool = second.indexOf(SCRIPTED_TOOL_OUTPUT, output);
      expect([call, argument, output, tool].every((at) => at > 0)).toBe(true);

      const turns = loop.gateway.recorder.recent().filter((turn) => turn.endpoint === "chat_completions");
      expect(turns.map((turn) => turn.stopReason?.unified)).toEqual(["tool_use", "end_turn"]);
      expect(turns.every((turn) => turn.status === 200 && turn.error === undefined)).toBe(true);
    });
  },
);
