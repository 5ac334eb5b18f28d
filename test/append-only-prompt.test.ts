import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import { toLlamaServerBody } from "../src/backends/llama-server/to-llama-server-body.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { describeLane } from "../src/sessions/lane.js";
import { normalizeForCache } from "../src/sessions/normalize-request.js";
import { identifySession } from "../src/sessions/session-identity.js";
import { withoutTrailingNote } from "../src/sessions/turn-note.js";
import { fixtureRequests, fixtureSessions, gooseSessionRoots } from "./support/fixtures.js";
import { startTestGateway } from "./support/test-gateway.js";

/**
 * The property behind a warm cache: for every two consecutive requests of a lane in each recorded
 * session (second prompts included; Goose's less the note each request ends with), the prompt Switchyard
 * renders for turn k is a byte prefix of the one for turn k+1, as rendered by the real llama-server's template (Qwen3.5, with the append-only
 * correction Switchyard applies to the engine it launches).
 */
describe("the prompt Switchyard sends is append-only within a lane", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let backend: LlamaServerBackend;
  beforeAll(async () => {
    gateway = await startTestGateway();
    backend = new LlamaServerBackend({ name: "probe", baseUrl: gateway.engine?.url as string });
  });
  afterAll(async () => {
    await backend?.close();
    await gateway?.close();
  });

  const render = async (body: Record<string, unknown>) => {
    const response = await fetch(`${backend.baseUrl}/apply-template`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { prompt: string }).prompt;
  };

  it("the engine's template passes the append-only probe", async () => {
    expect((await backend.compat()).appendOnly).toBe(true);
  });

  const sessions = [
    ...fixtureSessions().map((session) => ({ session, root: undefined })),
    ...gooseSessionRoots().map((root) => ({ session: "tool-session", root })),
  ];

  it.each(sessions)("holds for every lane of $session ($root)", async ({ session, root }) => {
    const compat = await backend.compat();
    const lastByLane = new Map<string, { file: string; prompt: string }>();
    let pairs = 0;
    for (const fixture of fixtureRequests(session, root)) {
      if (!fixture.body) continue;
      const request = normalizeForCache(parseAnthropicRequest(fixture.body, fixture.headers));
      const lane = describeLane(identifySession(request));
      const prompt = await render(toLlamaServerBody(request, "m", compat));
      const previous = lastByLane.get(lane);
      // What the next turn repeats: Goose's note at the end of this one is replaced by the next one's.
      const history = withoutTrailingNote(request);
      const kept = history === request ? prompt : await render(toLlamaServerBody(history, "m", compat));
      lastByLane.set(lane, { file: fixture.file, prompt: kept });
      if (!previous) continue;
      // agent-session's second prompt comes from a new process whose system prompt holds a new git
      // status: the client changed the head of the prompt, which no gateway can keep.
      if (session === "agent-session" && fixture.file === "011.json") continue;
      // Each of Goose's title requests restates every user message so far in one new prompt.
      if (lane.endsWith("/side") && fixture.headers["agent-session-id"]) continue;
      pairs++;
      const label = `${session}: ${previous.file} → ${fixture.file} (${lane})`;
      if (!prompt.startsWith(previous.prompt)) {
        let index = 0;
        while (prompt[index] === previous.prompt[index]) index++;
        expect.fail(
          `${label} diverges at ${index}: ${JSON.stringify(previous.prompt.slice(index - 40, index + 60))} vs ${JSON.stringify(prompt.slice(index - 40, index + 60))}`,
        );
      }
    }
    // Goose's recording has three pairs (its title requests are not compared).
    expect(pairs).toBeGreaterThan(root ? 2 : 3);
  });
});
