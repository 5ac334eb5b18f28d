import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gooseEnv } from "../src/clients/goose-env.js";
import { fillerNote } from "./support/filler-note.js";
import { useGatewayOnSmallContext } from "./support/gateway-in-front.js";
import { GOOSE_NOTE_RELEASE, GOOSE_RELEASE, type GooseProvider, gooseSandbox, runGoose } from "./support/goose.js";
import { SCRIPTED_ANSWER, SCRIPTED_TOOL_OUTPUT } from "./support/tool-call-families.js";
import { startToolLoop, type ToolLoop, type UpstreamRequest } from "./support/tool-loop.js";

/** The text of a chat message's content: a string, or OpenAI's array of text parts. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part: { text?: string }) => part.text ?? "").join("");
}

const NOTE_OPENING = "<info-msg>\n";
const TURN_CONTEXT = "<turn-context>\n";

/**
 * The real Goose CLI (from the npm registry) through Switchyard on the real llama-server, with the
 * tool-call test model on the Qwen3.5 template: a run that calls Goose's `shell` tool, then the same
 * session resumed with a second prompt. Goose names its session in an `agent-session-id` header. Two
 * releases: 1.37 writes a note into every request (its MOIM: the time, the working directory, the context
 * used), one exchange back from the end and in a new place each time, which Switchyard moves to the end
 * (src/sessions/turn-note.ts); today's writes a `<turn-context>` into the user message that opens a turn,
 * and leaves it there.
 */
describe.each([
  ...(["anthropic", "openai"] as const).map((provider) => ({ provider, release: GOOSE_RELEASE })),
  ...(["anthropic", "openai"] as const).map((provider) => ({ provider, release: GOOSE_NOTE_RELEASE })),
])("Goose $release.goose through Switchyard, its $provider provider", ({ provider, release }) => {
  const movesItsNote = release === GOOSE_NOTE_RELEASE;
  let loop: ToolLoop;
  let root: string;
  beforeAll(async () => {
    loop = await startToolLoop("Qwen3.5-4B.jinja", "shell");
    root = gooseSandbox();
  });
  afterAll(async () => {
    await loop?.close();
  });

  it("runs the tool, and a resumed session stays one lane whose prompt extends turn after turn", async () => {
    const goose = (args: string[]) => runGoose(root, loop.gateway.url, provider, args, { release });
    const first = await goose(["run", "-n", "s", "-t", "run the tool"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(SCRIPTED_ANSWER);
    const second = await goose(["run", "-n", "s", "-r", "-t", "once more"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(SCRIPTED_ANSWER);

    // Three generations: the call, the answer with the tool's output, the resumed session's answer.
    const requests: UpstreamRequest[] = loop.upstreamRequests();
    expect(requests).toHaveLength(3);
    for (const [index, request] of requests.entries()) {
      if (movesItsNote) {
        // Goose's note reaches the engine once, at the end, as a user message of its own.
        const notes = request.messages.filter((message) => textOf(message.content).includes(NOTE_OPENING));
        expect(notes).toHaveLength(1);
        expect(request.messages.at(-1)?.role).toBe("user");
        expect(textOf(request.messages.at(-1)?.content).startsWith(NOTE_OPENING)).toBe(true);
      } else {
        // One turn context per prompt, in the user message with the prompt, as Goose wrote it.
        const prompts = request.messages.filter((message) => message.role === "user");
        expect(prompts).toHaveLength(index < 2 ? 1 : 2);
        for (const prompt of prompts)
          expect(textOf(prompt.content)).toMatch(/^(run the tool|once more)\s*<turn-context>/);
        expect(request.messages.filter((message) => textOf(message.content).includes(TURN_CONTEXT))).toEqual(prompts);
      }
    }
    const toolResult = requests[1]?.messages.find((message) => message.role === "tool");
    expect(textOf(toolResult?.content).trim()).toBe(SCRIPTED_TOOL_OUTPUT);

    // One session (Goose's own id), one slot, and every turn reused the prompt before it.
    const turns = loop.gateway.recorder.recent().filter((turn) => turn.laneKind === "main");
    expect(turns).toHaveLength(3);
    expect(turns.every((turn) => turn.status === 200 && turn.error === undefined)).toBe(true);
    expect(new Set(turns.map((turn) => turn.sessionId))).toEqual(new Set([expect.stringMatching(/^\d{8}_\d+$/)]));
    expect(new Set(turns.map((turn) => turn.slot)).size).toBe(1);
    expect(turns.map((turn) => turn.miss)).toEqual([undefined, undefined, undefined]);
    for (const [index, turn] of turns.entries()) {
      if (index === 0) continue;
      const previous = turns[index - 1]?.promptTokens ?? 0;
      expect(turn.expectedReuse).toBeGreaterThan(0);
      // All of it came from the cache; with the moving note, all but the note it ended with (~80 tokens).
      expect(turn.reusedTokens).toBeGreaterThanOrEqual(previous - (movesItsNote ? 150 : 0));
    }
  });
});

/**
 * Goose on a local context of 8,192 tokens: its own prompt is about 4,400 and each turn here adds about
 * 3,000, so the second run's turn overflows. Switchyard answers at once (its fit check), in the door's
 * words (Anthropic's `prompt is too long`, OpenAI's `context_length_exceeded`); Goose must compact the conversation (its summary request is the side lane) and answer, and the
 * third run must go on.
 */
describe.each<GooseProvider>(["anthropic", "openai"])(
  "Goose outgrowing a local context, its %s provider",
  (provider) => {
    const gateway = useGatewayOnSmallContext(8192);

    /** Three runs of one session, each adding a filler note; what each run's turns were, by lane. */
    async function threeRuns(extra: NodeJS.ProcessEnv = {}) {
      const running = gateway();
      const root = gooseSandbox();
      const outcomes: string[] = [];
      const stdouts: string[] = [];
      for (const index of [1, 2, 3]) {
        const before = running.recorder.recent(100_000).length;
        const resume = index > 1 ? ["-r"] : [];
        const args = ["run", "-n", "s", ...resume, "-t", fillerNote(index)];
        const run = await runGoose(root, running.url, provider, args, { extra });
        expect(run.code, `run ${index}: ${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("Switchyard test net");
        stdouts.push(run.stdout);
        const turns = running.recorder.recent(100_000).slice(before);
        outcomes.push(
          turns.map((turn) => `${turn.laneKind}:${turn.status === 200 ? "ok" : turn.error?.code}`).join(" "),
        );
      }
      return { outcomes, stdouts };
    }

    it("is compacted when Switchyard answers that the prompt is too long, and goes on", async () => {
      const { outcomes, stdouts } = await threeRuns();
      expect(outcomes[0]).toBe("main:ok");
      // The overflow, Goose's summary of the conversation, and the answer from the compacted one.
      expect(outcomes[1]).toMatch(/^main:context_overflow side:ok main:ok$/);
      expect(stdouts[1]).toContain("Context limit reached. Compacting");
      expect(outcomes[2]).toMatch(/main:ok$/);
    }, 600_000);

    // `switchyard env --client goose` gives Goose the backend's context: it compacts at 80% of it, before
    // the context is full, and no request overflows.
    it.runIf(provider === "anthropic")(
      "with the environment `switchyard env --client goose` prints, is compacted before the context is full",
      async () => {
        const running = gateway();
        const info = (await (await fetch(`${running.url}/v1/switchyard/info`)).json()) as { contextWindow: number };
        expect(info.contextWindow).toBe(8192);
        const { outcomes, stdouts } = await threeRuns(
          gooseEnv({ baseUrl: running.url, apiKey: undefined, contextWindow: info.contextWindow }),
        );
        expect(outcomes.join(" ")).not.toContain("context_overflow");
        expect(outcomes[1]).toBe("side:ok main:ok");
        expect(stdouts[1]).toContain("Exceeded auto-compact threshold");
      },
      600_000,
    );
  },
);
