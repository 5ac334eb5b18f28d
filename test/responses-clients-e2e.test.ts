import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODEX_VERSION, codexSandbox, runCodex } from "./support/codex.js";
import { piFlags, piSandbox, runPi } from "./support/pi.js";
import { runSwitchyard } from "./support/switchyard-cli.js";
import { SCRIPTED_ANSWER, SCRIPTED_TOOL_OUTPUT } from "./support/tool-call-families.js";
import { expectToolRoundTrip, startToolLoop, type ToolLoop } from "./support/tool-loop.js";

/** Every file under a folder, recursively. */
const filesUnder = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );

/**
 * The real Codex CLI through Switchyard's Responses door, on the real llama-server. The Qwen3.5 tool-call
 * test model calls Codex's own shell tool (`exec_command`, argument `cmd`) with the scripted command, then
 * answers once the command's output is in its prompt.
 */
describe(`Codex ${CODEX_VERSION} runs a command through Switchyard (/v1/responses)`, () => {
  let loop: ToolLoop;
  let root: string;
  beforeAll(async () => {
    loop = await startToolLoop("Qwen3.5-4B.jinja", "exec_command", "cmd");
    root = codexSandbox();
  });
  afterAll(async () => {
    await loop?.close();
  });

  it("the model calls exec_command, Codex runs it, the output goes back, the prompt is reused, and Codex ends with the answer", async () => {
    const run = await runCodex(root, loop.gateway.url, ["Run the tool"]);
    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    // `codex exec` prints the last message on stdout, its progress (the command and its output) on stderr.
    expect(run.stdout.trim()).toBe(SCRIPTED_ANSWER);
    expect(run.stderr).toContain(SCRIPTED_TOOL_OUTPUT);

    const requests = loop.upstreamRequests();
    expect(requests).toHaveLength(2);
    // Codex heads a command's output: `Chunk ID: …`, `Wall time: …`, `Process exited with code 0`, …, `Output:`.
    expectToolRoundTrip(requests, "exec_command", "cmd", (result) => {
      expect(result).toContain("Process exited with code 0\n");
      return result.slice(result.indexOf("\nOutput:\n") + "\nOutput:\n".length);
    });
    // The reasoning item Switchyard streamed came back from Codex, so the second prompt extends the first.
    const call = requests[1]?.messages.at(-2) as { reasoning_content?: string } | undefined;
    expect(call?.reasoning_content?.trim()).toBe("Calling the tool now.");

    const turns = loop.gateway.recorder.recent().filter((turn) => turn.endpoint === "responses");
    expect(turns.map((turn) => [turn.status, turn.stopReason?.unified, turn.error])).toEqual([
      [200, "tool_use", undefined],
      [200, "end_turn", undefined],
    ]);
    // One session, named by Codex: the id its own session file carries.
    const [rollout] = filesUnder(join(root, "home", "sessions"));
    const meta = JSON.parse(readFileSync(rollout as string, "utf8").split("\n")[0] as string) as {
      payload: { id: string };
    };
    expect(turns.map((turn) => turn.sessionId)).toEqual([meta.payload.id, meta.payload.id]);
    expect(turns.map((turn) => turn.laneKind)).toEqual(["main", "main"]);
    // The second turn prefilled only what the first left out: the call, its output and the new prompt.
    const [first, second] = turns;
    expect(second?.miss).toBeUndefined();
    expect(second?.reusedTokens).toBeGreaterThanOrEqual((first?.promptTokens ?? 0) - 8);
    expect(second?.prefilledTokens).toBeLessThan(200);
  });

  it("runs with nothing but the config.toml `switchyard env --client codex` prints", async () => {
    const printed = await runSwitchyard(["env", "--client", "codex", "--url", loop.gateway.url], 60_000);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^model_context_window = \d+$/m);
    const sandbox = codexSandbox();
    writeFileSync(join(sandbox, "home", "config.toml"), printed.stdout);
    const run = await runCodex(sandbox, undefined, ["Run the tool"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(SCRIPTED_ANSWER);
  });
});

/**
 * pi with a provider of its `openai-responses` API (pi's docs/models.md) at Switchyard: the same loop with
 * pi's shell tool (`bash`, argument `command`), through the same door.
 */
describe("pi runs a command through Switchyard (/v1/responses)", () => {
  let loop: ToolLoop;
  let root: string;
  beforeAll(async () => {
    loop = await startToolLoop("Qwen3.5-4B.jinja", "bash");
    root = piSandbox(
      loop.gateway.url,
      [{ id: "local", reasoning: true, input: ["text"], contextWindow: 65536, maxTokens: 2048 }],
      "openai-responses",
    );
  });
  afterAll(async () => {
    await loop?.close();
  });

  it("the model calls bash, pi runs it, the output goes back, and pi ends with the answer", async () => {
    const session = join(root, "sessions", "session.jsonl");
    const run = await runPi([...piFlags("switchyard/local", session), "run the tool"], root, 240_000);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(SCRIPTED_ANSWER);

    const requests = loop.upstreamRequests();
    expect(requests).toHaveLength(2);
    expectToolRoundTrip(requests, "bash");
    const turns = loop.gateway.recorder.recent().filter((turn) => turn.endpoint === "responses");
    expect(turns.map((turn) => [turn.status, turn.stopReason?.unified, turn.error])).toEqual([
      [200, "tool_use", undefined],
      [200, "end_turn", undefined],
    ]);
    expect(turns[1]?.miss).toBeUndefined();
  });
});
