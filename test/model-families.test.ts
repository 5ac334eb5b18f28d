import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LlamaServerBackend } from "../src/backends/llama-server/llama-server-backend.js";
import type { LlamaServerCompat } from "../src/backends/llama-server/llama-server-compat.js";
import { PromptRenderer } from "../src/backends/llama-server/render-prompt.js";
import { correctTemplate } from "../src/backends/llama-server/template-remedy.js";
import { toCompletionBody } from "../src/backends/llama-server/to-completion-body.js";
import { toLlamaServerBody } from "../src/backends/llama-server/to-llama-server-body.js";
import { configSchema } from "../src/config/config-schema.js";
import { agentEngineArgs } from "../src/engine/engine-args.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { correctedTemplateArgs } from "../src/engine/engine-template.js";
import { detectFamily, MODEL_FAMILIES, type ModelFamily, templateFingerprint } from "../src/families/model-families.js";
import { parseAnthropicRequest } from "../src/protocols/anthropic/parse-anthropic-request.js";
import { describeLane } from "../src/sessions/lane.js";
import { normalizeForCache } from "../src/sessions/normalize-request.js";
import { identifySession } from "../src/sessions/session-identity.js";
import { takeTurnNote, withoutTrailingNote } from "../src/sessions/turn-note.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import { type FixtureRequest, fixtureRequests, fixtureSessions, gooseSessionRoots } from "./support/fixtures.js";
import { startStockEngine } from "./support/stock-engine.js";

/**
 * The family matrix, checked against the real llama-server: for every family, a server started the way
 * users start one (the family's stock template, `--chat-template-file`), and every recorded Claude Code
 * session and Goose's (its Anthropic provider) rendered through Switchyard's conversion (`/apply-template`).
 * Each lane's prompt for turn k (less Goose's note, which turn k+1 replaces) must be a byte prefix of turn
 * k+1's where the matrix says `appendOnly: true`, and must not be where it says why not, so the matrix
 * cannot drift from what the engine does.
 *
 * Two variants of each session: as recorded (Claude Code 2.1.197 against a scripted endpoint that never
 * thought, so history holds no reasoning), and the same requests with a thinking block at the head of
 * every assistant turn and thinking on, as today's Claude Code keeps them (derived from the recordings).
 */
function isNoteAlone(message: { role: string; content: unknown } | undefined): boolean {
  if (message?.role !== "user") return false;
  const blocks = typeof message.content === "string" ? [{ text: message.content }] : (message.content as unknown[]);
  return blocks.length === 1 && takeTurnNote(String((blocks[0] as { text?: unknown }).text ?? ""))?.rest === "";
}

function withThinking(request: FixtureRequest): FixtureRequest {
  if (!request.body) return request;
  const body = request.body as { messages: Array<{ role: string; content: unknown }> };
  let turn = 0;
  const messages = body.messages.map((message, index) => {
    if (message.role !== "assistant") return message;
    // Goose splits its newest assistant turn around its note (a user message of the note alone); the
    // turn's reasoning stays with its first part, as Goose keeps it.
    if (body.messages[index - 2]?.role === "assistant" && isNoteAlone(body.messages[index - 1])) return message;
    turn++;
    const content = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    const thinking = { type: "thinking", thinking: `Reasoning for turn ${turn}.`, signature: "recorded" };
    return { ...message, content: [thinking, ...(content as unknown[])] };
  });
  return { ...request, body: { ...body, messages, thinking: { type: "adaptive" } } };
}

interface Outcome {
  pairs: number;
  /** Pairs where only the generation prompt's reasoning opener (the family's `generationPromptTail`) differs. */
  tailOnly: number;
  breaks: string[];
  errors: string[];
}

/**
 * The prompt llama-server is given for a request: the one Switchyard renders and sends to `/completion`
 * where it renders the family's prompt itself, else the server's own rendering of the chat body.
 */
async function promptSent(
  engineUrl: string,
  compat: LlamaServerCompat,
  request: ReturnType<typeof normalizeForCache>,
): Promise<string | { error: string }> {
  const body = toLlamaServerBody(request, "m", compat);
  if (compat.rendering) return toCompletionBody(body, compat.rendering.renderer).prompt;
  const response = await fetch(`${engineUrl}/apply-template`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) return { error: `HTTP ${response.status} ${text.slice(0, 120)}` };
  return (JSON.parse(text) as { prompt: string }).prompt;
}

/**
 * What of a request's prompt the next request of its lane should repeat: all of it, or, when it ends with
 * a per-request note (Goose's, src/sessions/turn-note.ts), the prompt of the same request without it.
 */
async function promptBeforeNote(
  engineUrl: string,
  compat: LlamaServerCompat,
  request: ReturnType<typeof normalizeForCache>,
  prompt: string,
): Promise<string> {
  const history = withoutTrailingNote(request);
  if (history === request) return prompt;
  const before = await promptSent(engineUrl, compat, history);
  return typeof before === "string" ? before : prompt;
}

async function replaySession(
  engineUrl: string,
  compat: LlamaServerCompat,
  requests: FixtureRequest[],
  tails: readonly string[] = [],
) {
  const outcome: Outcome = { pairs: 0, tailOnly: 0, breaks: [], errors: [] };
  const lastByLane = new Map<string, { file: string; prompt: string }>();
  for (const fixture of requests) {
    if (!fixture.body) continue;
    const request = normalizeForCache(parseAnthropicRequest(fixture.body, fixture.headers));
    const lane = describeLane(identifySession(request));
    const prompt = await promptSent(engineUrl, compat, request);
    if (typeof prompt !== "string") {
      outcome.errors.push(`${fixture.file}: ${prompt.error}`);
      continue;
    }
    const previous = lastByLane.get(lane);
    lastByLane.set(lane, { file: fixture.file, prompt: await promptBeforeNote(engineUrl, compat, request, prompt) });
    // agent-session's second prompt comes from a new process whose system prompt holds a new git status;
    // each of Goose's title requests restates every user message so far in one new prompt.
    if (!previous || (fixture.session === "agent-session" && fixture.file === "011.json")) continue;
    if (lane.endsWith("/side") && fixture.headers["agent-session-id"]) continue;
    outcome.pairs++;
    const tail = tails.find((ending) => previous.prompt.endsWith(ending));
    if (!prompt.startsWith(previous.prompt) && tail && prompt.startsWith(previous.prompt.slice(0, -tail.length))) {
      outcome.tailOnly++;
    } else if (!prompt.startsWith(previous.prompt)) {
      let index = 0;
      while (prompt[index] === previous.prompt[index]) index++;
      outcome.breaks.push(
        `${previous.file} → ${fixture.file} at ${index}: ${JSON.stringify(previous.prompt.slice(index - 30, index + 40))} vs ${JSON.stringify(prompt.slice(index - 30, index + 40))}`,
      );
    }
  }
  return outcome;
}

/** The same requests with thinking turned off, as a client with thinking off sends them. */
function withThinkingOff(request: FixtureRequest): FixtureRequest {
  return request.body ? { ...request, body: { ...(request.body as object), thinking: { type: "disabled" } } } : request;
}

/** Goose's recorded sessions through its Anthropic provider, one per release. */
const gooseSessions = () => gooseSessionRoots().map((root) => fixtureRequests("tool-session", root));

/**
 * Every recorded session (Claude Code's and Goose's), as recorded and with thinking kept in history; where
 * Switchyard renders the prompt (in process, so cheap), with thinking off throughout too.
 */
async function replayEverySession(
  engineUrl: string,
  compat: LlamaServerCompat,
  tails?: readonly string[],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const sessions = [...fixtureSessions().map((session) => fixtureRequests(session)), ...gooseSessions()];
  for (const requests of sessions) {
    outcomes.push(await replaySession(engineUrl, compat, requests, tails));
    outcomes.push(await replaySession(engineUrl, compat, requests.map(withThinking), tails));
    if (compat.rendering) {
      outcomes.push(await replaySession(engineUrl, compat, requests.map(withThinkingOff), tails));
    }
  }
  return outcomes;
}

const templates = join(inject("llamaSource"), "models", "templates");

/**
 * Each family on its first template; a family Switchyard renders from corrected copies of its stock
 * templates (`render.corrected`, the R1 distills) on each of them, since each copy is its own.
 */
const familyTemplates = MODEL_FAMILIES.flatMap((family) => {
  const files = Object.keys(family.templates);
  const checked = family.render?.corrected ? files : files.slice(0, 1);
  return checked.map((file, index) => [index === 0 ? family.id : `${family.id} (${file})`, family, file] as const);
});

/**
 * Every other template llama.cpp ships that a family claims by its markers (a server with it gets that
 * family's remedy): what the remedy does to it is checked like the family's own. (Ling 3.0's carried
 * Qwen3's markers, and Qwen3's remedy wrote a second reasoning block into each of its turns.)
 */
const claimedByMarkers = readdirSync(templates)
  .filter((file) => file.endsWith(".jinja") && !MODEL_FAMILIES.some((family) => file in family.templates))
  .flatMap((file) => {
    const source = readFileSync(join(templates, file), "utf8");
    const family = detectFamily(source);
    if (!family || Object.values(family.templates).includes(templateFingerprint(source))) return [];
    return [[`${family.id} (${file}, by its markers)`, family, file] as const];
  });

const stockServers = [...familyTemplates, ...claimedByMarkers];

describe.each(stockServers)("%s on its stock template", (_id, family: ModelFamily, template: string) => {
  let engine: EngineSupervisor;
  let backend: LlamaServerBackend;
  beforeAll(async () => {
    engine = await startStockEngine(template, { parallel: 1, ctxSize: 4096, maxRestarts: 0 });
    backend = new LlamaServerBackend({ name: family.id, baseUrl: engine.url });
  });
  afterAll(async () => {
    await backend?.close();
    await engine?.stop();
  });

  it("is recognised from the server's template", async () => {
    const compat = await backend.compat();
    expect(compat.family).toBe(family.id);
    // What each turn record is told (`templateAppendOnly`): a rendered family's probe renders as Switchyard does.
    if (family.render) expect(compat.appendOnly).toBe(family.appendOnly === true);
  });

  it.runIf(family.render !== undefined)(
    "Switchyard renders its prompt, and renders the stock template byte for byte as llama-server does",
    async () => {
      const compat = await backend.compat();
      expect(compat.rendering, "the family's corrections apply to its stock template").toBeTruthy();
      const source = readFileSync(join(templates, template), "utf8");
      const props = (await (await fetch(`${engine.url}/props`)).json()) as { bos_token: string; eos_token: string };
      const stock = PromptRenderer.create(
        source,
        { ...(family.render as NonNullable<ModelFamily["render"]>), patches: [] },
        { bosToken: props.bos_token, eosToken: props.eos_token, addsBos: false },
      );
      if (typeof stock === "string") throw new Error(stock);
      let compared = 0;
      // Goose's too: its tools' type unions (`["integer", "null"]`), which Gemma 4 writes `['INTEGER', 'NULL']`.
      const sessions = [...fixtureSessions().map((session) => fixtureRequests(session)), ...gooseSessions()];
      for (const requests of sessions) {
        for (const fixture of requests) {
          if (!fixture.body) continue;
          for (const thinking of [undefined, { type: "disabled" }]) {
            const recorded = thinking ? { ...(fixture.body as object), thinking } : fixture.body;
            const request = normalizeForCache(parseAnthropicRequest(recorded, fixture.headers));
            const body = toLlamaServerBody(request, "m", { ...compat, rendering: undefined });
            const response = await fetch(`${engine.url}/apply-template`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(body),
            });
            const text = await response.text();
            if (response.status !== 200) continue;
            const ours = toCompletionBody(body, stock).prompt;
            expect(ours, `${fixture.session}/${fixture.file}`).toBe((JSON.parse(text) as { prompt: string }).prompt);
            compared++;
          }
        }
      }
      // Mistral Small 3.2: llama-server renders only the 14 requests without tools (the others get 400).
      expect(compared).toBeGreaterThanOrEqual(14);
    },
  );

  // DeepSeek V3.1's and the R1 distills' templates never write the tool list, Gemma 2's and Phi-3.5's have
  // no place for tools: llama-server renders such requests and the model never hears of its tools.
  it("tells the model its tools, in the prompt Switchyard sends", async () => {
    const fixture = fixtureRequests("basic-session").find((request) => request.file === "005.json") as FixtureRequest;
    const request = normalizeForCache(parseAnthropicRequest(fixture.body, fixture.headers));
    const sent = await promptSent(engine.url, await backend.compat(), request);
    // A family llama-server cannot serve with these tools at all says so in the matrix (an HTTP error).
    if (family.appendOnly !== true && typeof sent !== "string") return;
    expect(sent).toBeTypeOf("string");
    expect(sent as string).toContain("Use this tool to update a task in the task list");
  });

  // Where Switchyard renders the prompt itself, it is checked in the prompt Switchyard sends, whatever
  // the stock template does.
  it.runIf(family.midConversationSystem !== "in-place" || family.render !== undefined)(
    `renders a mid-conversation system message where it stands (stock template: ${family.midConversationSystem})`,
    async () => {
      // basic-session 004: the user's prompt, Claude Code's agent list as a system message, then the answer.
      const fixture = fixtureRequests("basic-session").find((request) => request.file === "004.json") as FixtureRequest;
      const request = normalizeForCache(parseAnthropicRequest(fixture.body, fixture.headers));
      const sent = await promptSent(engine.url, await backend.compat(), request);
      // A family llama-server cannot serve with these tools at all says so in the matrix (an HTTP error).
      if (family.appendOnly !== true && typeof sent !== "string") return;
      expect(sent).toBeTypeOf("string");
      const prompt = sent as string;
      const before = prompt.indexOf("look around this repo and tell me what it does");
      const system = prompt.indexOf("Available agent types for the Agent tool:");
      const after = prompt.indexOf("ls -la", system);
      expect(before).toBeGreaterThan(-1);
      expect(system).toBeGreaterThan(before);
      expect(after).toBeGreaterThan(system);
    },
  );

  const claim =
    family.appendOnly === true
      ? "renders every recorded session append-only"
      : family.generationPromptTail
        ? "renders every recorded session append-only but for the generation prompt's reasoning opener"
        : "breaks where the matrix says";
  it(claim, async () => {
    const compat = await backend.compat();
    const outcomes = await replayEverySession(engine.url, compat, family.generationPromptTail);
    const errors = outcomes.flatMap((outcome) => outcome.errors);
    const breaks = outcomes.flatMap((outcome) => outcome.breaks);
    const tailOnly = outcomes.reduce((sum, outcome) => sum + outcome.tailOnly, 0);
    if (family.appendOnly === true || family.generationPromptTail) {
      expect(outcomes.reduce((sum, outcome) => sum + outcome.pairs, 0)).toBeGreaterThan(20);
      expect(errors).toEqual([]);
      expect(breaks).toEqual([]);
      if (family.appendOnly === true) expect(tailOnly).toBe(0);
      else expect(tailOnly, "the reasoning opener no longer differs: set appendOnly").toBeGreaterThan(0);
    } else {
      expect(errors.length + breaks.length, "the matrix says this family breaks; it no longer does").toBeGreaterThan(0);
    }
  });
});

/**
 * The other kind of server: an engine Switchyard launches. For a family whose stock template the history
 * remedy keeps append-only, that engine runs the stock template too (the same prompt as above). For the
 * others, where Switchyard has a corrected copy, the copy is checked against `appendOnlyWhenLaunched`.
 */
const corrected = MODEL_FAMILIES.flatMap((family) => {
  if (family.appendOnly === true) return [];
  const file = join(templates, Object.keys(family.templates)[0] as string);
  const template = correctTemplate(readFileSync(file, "utf8"));
  return template ? [[family.id, family, template] as const] : [];
});

describe.each(corrected)("%s on an engine Switchyard launches (corrected template)", (_id, family, template) => {
  it(family.appendOnlyWhenLaunched ? "renders every recorded session append-only" : "still breaks", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-family-")), "corrected.jinja");
    writeFileSync(path, template);
    const engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: ["--jinja", "--parallel", "1", "--ctx-size", "4096", "--no-webui", "--chat-template-file", path],
      maxRestarts: 0,
    });
    // As start-switchyard does for its own engine: no history remedy on top of the corrected copy.
    const backend = new LlamaServerBackend({
      name: family.id,
      baseUrl: engine.url,
      compat: { history: { kind: "none" }, family: family.id },
    });
    try {
      const compat = await backend.compat();
      const outcomes = await replayEverySession(engine.url, compat);
      const failures = outcomes.flatMap((outcome) => [...outcome.errors, ...outcome.breaks]);
      if (family.appendOnlyWhenLaunched) expect(failures).toEqual([]);
      else expect(failures.length, "the corrected template now works: set appendOnlyWhenLaunched").toBeGreaterThan(0);
    } finally {
      await backend.close();
      await engine.stop();
    }
  });
});

/**
 * A family Switchyard renders from corrected copies of its stock templates (the R1 distills), on an engine
 * Switchyard launches: the model file carries the stock template, the engine gets no corrected copy
 * (`correctedTemplateArgs`) and serves it, and the prompt Switchyard sends is append-only as on a server
 * the user started. (Other rendered families render in process from the same stock template either way.)
 */
const launchedRendered = familyTemplates.filter(([, family]) => family.render?.corrected);

describe.each(launchedRendered)("%s on an engine Switchyard launches", (_id, _family, template) => {
  it("serves the stock template, and Switchyard renders every recorded session append-only", async () => {
    const model = await ensureTestModel({ template });
    const launch = await correctedTemplateArgs(model);
    expect(launch.args).toEqual([]);
    const engineConfig = configSchema.parse({ engine: { slots: 1, contextSize: 4096 } }).engine;
    const engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model,
      args: [...agentEngineArgs(engineConfig), ...launch.args],
      maxRestarts: 0,
    });
    const backend = new LlamaServerBackend({ name: "launched", baseUrl: engine.url });
    try {
      const compat = await backend.compat();
      expect(compat.rendering, "Switchyard renders the launched engine's template").toBeTruthy();
      const outcomes = await replayEverySession(engine.url, compat);
      expect(outcomes.reduce((sum, outcome) => sum + outcome.pairs, 0)).toBeGreaterThan(20);
      expect(outcomes.flatMap((outcome) => [...outcome.errors, ...outcome.breaks])).toEqual([]);
    } finally {
      await backend.close();
      await engine.stop();
    }
  });
});
