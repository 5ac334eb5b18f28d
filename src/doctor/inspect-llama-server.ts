import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LLAMA_API_KEY, LlamaServerBackend } from "../backends/llama-server/llama-server-backend.js";
import { rendersToolsAsText } from "../backends/llama-server/llama-server-compat.js";
import { correctTemplate } from "../backends/llama-server/template-remedy.js";
import { keyOf } from "../backends/registry/backend-kind.js";
import { familyById } from "../families/model-families.js";
import { parseAnthropicRequest } from "../protocols/anthropic/parse-anthropic-request.js";
import { cacheDirectory } from "../util/paths.js";
import type { Finding } from "./doctor-findings.js";

/** Claude Code's system prompt and tools alone take about 20K tokens; a turn needs room beyond that. */
export const CLAUDE_CODE_MIN_CONTEXT = 32_768;

interface Slot {
  id: number;
  n_ctx?: number;
  is_processing?: boolean;
}

/**
 * Runs a two-turn conversation pinned to one slot, with a side request on another slot in between (as
 * Claude Code's title request and subagents do), and reports how much of turn 1's prompt turn 2 reused.
 */
async function twoTurnProbe(backend: LlamaServerBackend): Promise<Finding> {
  const notes = Array.from({ length: 600 }, (_, index) => `note ${index}: the probe keeps this line stable.`).join(
    "\n",
  );
  const first = parseAnthropicRequest({
    model: "probe",
    max_tokens: 16,
    system: `Doctor probe ${Date.now()}.\n${notes}`,
    messages: [{ role: "user", content: "First question." }],
    tools: [
      {
        name: "Bash",
        description: "Run a command",
        input_schema: { type: "object", properties: { command: { type: "string" } } },
      },
    ],
  });
  const usageOf = async (request: typeof first) => {
    let usage = { inputTokens: 0, cacheReadTokens: 0 };
    for await (const event of backend.stream(request, {
      model: "probe",
      signal: AbortSignal.timeout(120_000),
      lane: { sessionId: "doctor", name: "main", kind: "main" },
    })) {
      if (event.type === "done" || event.type === "error") usage = event.usage;
    }
    return usage;
  };
  const one = await usageOf(first);
  const side = parseAnthropicRequest({
    model: "probe",
    max_tokens: 8,
    messages: [{ role: "user", content: `Title for probe ${Date.now()}` }],
  });
  for await (const _ of backend.stream(side, {
    model: "probe",
    signal: AbortSignal.timeout(60_000),
    lane: { sessionId: "doctor", name: "side", kind: "side" },
  })) {
    // drained: only its effect on the other slot matters
  }
  const second = parseAnthropicRequest({
    ...(first.client.body as Record<string, unknown>),
    messages: [
      { role: "user", content: "First question." },
      { role: "assistant", content: "First answer." },
      { role: "user", content: "Second question." },
    ],
  });
  const two = await usageOf(second);
  const expected = one.inputTokens + one.cacheReadTokens;
  const reused = two.cacheReadTokens;
  const share = expected > 0 ? reused / expected : 0;
  return {
    level: share >= 0.98 ? "ok" : "fail",
    check: "two-turn probe",
    detail: `turn 2 reused ${reused} of the ${expected} prompt tokens of turn 1 (${(share * 100).toFixed(1)} %), prefilled ${two.inputTokens}, with a side request on another slot in between`,
    fix:
      share >= 0.98
        ? undefined
        : "the second turn did not reuse the first turn's prompt although another slot served the request in between: with --kv-unified, add --no-cache-idle-slots (otherwise idle slots are cleared whenever another slot starts); also check the template findings above and that the context fits both turns",
  };
}

/**
 * Inspects a running llama-server for agent work and says what to change. In router mode it inspects
 * `model` (by default the first the router lists), loading it if the router has not.
 */
export async function inspectLlamaServer(url: string, model?: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  // A server started with --api-key wants its key on everything but /health: the one llama-server reads.
  const apiKey = keyOf({}, LLAMA_API_KEY);
  const router = new LlamaServerBackend({ name: "llama-server", baseUrl: url, apiKey });
  let backend = router;
  /** `?model=` for what the doctor reads itself, in router mode. */
  let modelQuery = "";
  try {
    const health = await backend.health();
    if (!health.ok) {
      findings.push({
        level: "fail",
        check: "reachable",
        detail: `${url}: ${health.detail}`,
        fix: `start llama-server at ${url}, or point doctor at it with --backend`,
      });
      return findings;
    }
    if ((await router.props()).role === "router") {
      const models = await router.listModels();
      const chosen = model ?? models[0];
      if (chosen === undefined || !models.includes(chosen)) {
        findings.push({
          level: "fail",
          check: "router mode",
          detail: `${url} runs in router mode and lists ${models.length ? models.join(", ") : "no model"}${chosen === undefined ? "" : `, not ${chosen}`}`,
          fix: "give llama-server models (--models-dir, --models-preset), or name one it lists with --model",
        });
        return findings;
      }
      findings.push({
        level: "ok",
        check: "router mode",
        detail: `${models.length} model(s): ${models.join(", ")}; each is its own server, with its own template, context and slots. Inspecting ${chosen}${model ? "" : " (another: --model NAME)"}`,
      });
      backend = await router.backendFor(chosen);
      modelQuery = `?model=${encodeURIComponent(chosen)}`;
    } else if (model !== undefined) {
      findings.push({
        level: "info",
        check: "router mode",
        detail: `--model ${model}: ${url} serves one model, not in router mode; inspecting it`,
      });
    }
    const props = (await backend.props()) as Record<string, unknown> & {
      total_slots?: number;
      default_generation_settings?: { n_ctx?: number };
      build_info?: string;
      chat_template?: string;
    };
    findings.push({
      level: "ok",
      check: "reachable",
      detail: `${url} (build ${props.build_info ?? "unknown"}, model ${String(props.model_alias ?? props.model_path ?? "?")})`,
    });

    const slots = props.total_slots ?? 1;
    findings.push(
      slots >= 3
        ? {
            level: "ok",
            check: "slots",
            detail: `${slots}: the main agent, side requests and a subagent each keep their own prefix`,
          }
        : {
            level: "warn",
            check: "slots",
            detail: `${slots}: side requests and subagents will evict the main agent's prefix`,
            fix: "start llama-server with --parallel 4 --kv-unified so lanes keep separate warm prefixes sharing one KV cache",
          },
    );
    const context = props.default_generation_settings?.n_ctx ?? 0;
    const slotList = (await (
      await fetch(`${url}/slots${modelQuery}`, {
        signal: AbortSignal.timeout(5000),
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      })
    )
      .json()
      .catch(() => [])) as Slot[];
    const perSlot = slotList[0]?.n_ctx ?? context;
    const unified =
      slots > 1 && slotList.length > 1 && perSlot * slots > context * 1.5
        ? "probably unified"
        : slots > 1
          ? "split per slot, or unified"
          : "single slot";
    findings.push(
      perSlot >= CLAUDE_CODE_MIN_CONTEXT
        ? { level: "ok", check: "context per request", detail: `${perSlot} tokens (${unified})` }
        : {
            level: "fail",
            check: "context per request",
            detail: `${perSlot} tokens: Claude Code's system prompt and tools alone take about 20K`,
            fix: `give each request at least ${CLAUDE_CODE_MIN_CONTEXT} tokens: --ctx-size ${Math.max(CLAUDE_CODE_MIN_CONTEXT * slots, 131072)} with --kv-unified (slots share one cache; without it each slot gets ctx ÷ parallel)`,
          },
    );
    findings.push({
      level: "info",
      check: "RAM prompt cache and checkpoints",
      detail:
        "llama-server does not report --cache-ram or --ctx-checkpoints over HTTP; this build defaults to an 8 GiB RAM prompt cache",
    });

    const compat = await backend.compat();
    const family = familyById(compat.family);
    findings.push(
      !family
        ? {
            level: "info",
            check: "model family",
            detail:
              "the template is not one of the families Switchyard knows (docs/design/model-families.md); the probes below still apply",
          }
        : family.render
          ? compat.rendering
            ? {
                level: "ok",
                check: "model family",
                detail: `${family.name}: append-only with Switchyard in front: Switchyard renders this family's prompt itself and reads its reasoning and tool calls (${family.render.why}; reasoning in history: ${family.reasoningInHistory})`,
              }
            : {
                level: "fail",
                check: "model family",
                detail: `${family.name}: Switchyard renders this family's prompt itself, but not on this server: ${compat.renderingRefused ?? "turned off in the config"}`,
                fix: `serve the family's stock template (llama.cpp's models/templates/${Object.keys(family.templates)[0]})`,
              }
          : family.appendOnly === true
            ? {
                level: "ok",
                check: "model family",
                detail: `${family.name}: append-only with Switchyard in front (reasoning in history: ${family.reasoningInHistory})`,
              }
            : {
                level: "fail",
                check: "model family",
                detail: `${family.name}: not append-only on this template: ${family.appendOnly.breaks}`,
                fix: family.appendOnly.instead,
              },
    );
    findings.push({
      level: "ok",
      check: "mid-conversation system messages",
      detail:
        compat.midConversationSystem === "native"
          ? "rendered and compared: the template puts them where they stand"
          : `rendered and compared: the template raises on them, moves them to the head or drops them; Switchyard sends them in place as user turns${compat.alternatingRoles ? ", joined to the user turn beside them (the template insists that roles alternate)" : ""}`,
    });
    if (compat.singleSchemaTypes) {
      findings.push({
        level: "ok",
        check: "tool schemas",
        detail:
          'the template refuses a type union in a tool schema (["integer", "null"], as Goose and many MCP servers send) and renders a single type: Switchyard sends each union as its first type other than null',
      });
    }
    const toolsAsText = rendersToolsAsText(compat);
    if (compat.toolListCall || toolsAsText) {
      findings.push({
        level: "ok",
        check: "tool list",
        detail: toolsAsText
          ? "the template has no place for tools (llama-server would leave them out): Switchyard writes the tool list, the calls and the results as text, and reads the model's calls back"
          : "the template never writes the tool list (llama-server would leave the model unaware of its tools): Switchyard writes it after the system prompt, with how to call a tool in the family's syntax",
      });
    }
    if (compat.appendOnly) {
      findings.push({
        level: "ok",
        check: "append-only template",
        detail: compat.rendering
          ? "yes: earlier turns render the same after a new user query, as Switchyard renders them (sent to /completion)"
          : Object.keys(compat.templateKwargs).length > 0
            ? `yes, with ${JSON.stringify(compat.templateKwargs)}`
            : "yes: earlier turns render the same after a new user query",
      });
    } else {
      const corrected = correctTemplate(String(props.chat_template ?? ""));
      let fix =
        "this template re-renders earlier assistant turns when a new user query arrives; use a template without that dependence";
      if (corrected) {
        const directory = join(cacheDirectory(), "templates");
        mkdirSync(directory, { recursive: true });
        const path = join(directory, "doctor-corrected.jinja");
        writeFileSync(path, corrected);
        fix = `restart llama-server with --chat-template-file ${path} (a corrected copy of its template that renders every assistant turn the same way; Switchyard does this itself for engines it launches)`;
      }
      findings.push({
        level: "fail",
        check: "append-only template",
        detail:
          "no: each new user prompt re-renders the previous run's assistant turns (their thinking is dropped), so that whole trajectory is prefilled again",
        fix,
      });
    }
    findings.push(await twoTurnProbe(backend));
  } catch (error) {
    findings.push({ level: "fail", check: "inspection", detail: (error as Error).message });
  } finally {
    await router.close();
  }
  return findings;
}
