import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { type MetricFamily, parsePrometheusText } from "./support/prometheus.js";
import { claudeCodeStatusJson, runStatusline } from "./support/statusline.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const KEY = "metrics-test-key";
const SESSION = "metrics-session";
const TOOLS = [
  {
    name: "Read",
    description: "Read a file",
    input_schema: { type: "object", properties: { path: { type: "string" } } },
  },
];

const sum = (values: Array<number | undefined>) => values.reduce<number>((total, value) => total + (value ?? 0), 0);

describe("GET /metrics after real turns", () => {
  let gateway: Gateway;
  let families: Map<string, MetricFamily>;
  let turns: TurnRecord[];
  let exposition: string;

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${gateway.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY, ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return text;
  }

  beforeAll(async () => {
    gateway = await startTestGateway({ gateway: { apiKey: KEY } });
    const session = { "x-claude-code-session-id": SESSION };
    const first = [{ role: "user", content: "List the files in this project." }];
    await post(
      "/v1/messages",
      { model: "sonnet", max_tokens: 48, stream: true, tools: TOOLS, messages: first },
      session,
    );
    // The same lane again, with its first message edited: the prefix no longer matches, a miss.
    await post(
      "/v1/messages",
      {
        model: "sonnet",
        max_tokens: 48,
        tools: TOOLS,
        messages: [
          { role: "user", content: "List the markdown files in this project." },
          { role: "assistant", content: "Sure." },
          { role: "user", content: "Go on." },
        ],
      },
      session,
    );
    // A side request (no tools), then the OpenAI door, then a token count.
    await post(
      "/v1/messages",
      { model: "haiku", max_tokens: 16, messages: [{ role: "user", content: "A title" }] },
      session,
    );
    await post("/v1/chat/completions", { model: "local", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
    await post("/v1/messages/count_tokens", { model: "sonnet", messages: first });
    // Records are made just after the answer is sent.
    await waitForTurns(gateway.recorder, 5);
    turns = gateway.recorder.recent();
    const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    exposition = await response.text();
    families = new Map(parsePrometheusText(exposition).map((family) => [family.name, family]));
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const family = (name: string, type: MetricFamily["type"]) => {
    const found = families.get(name);
    expect(found, `${name} is missing`).toBeDefined();
    expect(found?.type).toBe(type);
    return found as MetricFamily;
  };
  const value = (name: string, type: MetricFamily["type"], labels: Record<string, string>) =>
    sum(
      family(name, type)
        .metrics.filter((metric) =>
          Object.entries(labels).every(([label, wanted]) => metric.labels?.[label] === wanted),
        )
        .map((metric) => Number(metric.value)),
    );

  it("is behind the API key, like the API", async () => {
    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
    expect((await fetch(`${gateway.url}/metrics`, { headers: { "x-api-key": "wrong" } })).status).toBe(401);
  });

  it("keeps the session summary behind the key too; the status line says when its key is wrong", async () => {
    expect((await fetch(`${gateway.url}/v1/switchyard/sessions/${SESSION}/summary`)).status).toBe(401);
    const input = claudeCodeStatusJson(SESSION, 0);
    const refused = await runStatusline(input, ["--url", gateway.url], { SWITCHYARD_API_KEY: "wrong" });
    expect(refused).toMatchObject({
      code: 0,
      stdout: `⇄ Switchyard at ${gateway.url} wants its API key (set SWITCHYARD_API_KEY)\n`,
    });
    const shown = await runStatusline(input, ["--url", gateway.url], { SWITCHYARD_API_KEY: KEY });
    expect(shown.stdout).toMatch(/^⇄ local · /);
  });

  it("counts every request by backend, lane kind, protocol, endpoint and status", () => {
    expect(turns).toHaveLength(5);
    const requests = family("switchyard_requests_total", "COUNTER");
    expect(sum(requests.metrics.map((metric) => Number(metric.value)))).toBe(5);
    for (const turn of turns) {
      const labels = {
        backend: turn.backend,
        lane_kind: turn.laneKind ?? "none",
        protocol: turn.protocol,
        endpoint: turn.endpoint,
        status: String(turn.status),
      };
      const same = turns.filter(
        (other) =>
          other.backend === turn.backend &&
          (other.laneKind ?? "none") === labels.lane_kind &&
          other.protocol === turn.protocol &&
          other.endpoint === turn.endpoint &&
          other.status === turn.status,
      );
      expect(value("switchyard_requests_total", "COUNTER", labels)).toBe(same.length);
    }
    expect(value("switchyard_requests_total", "COUNTER", { protocol: "openai" })).toBe(1);
    // Requests without tools are side requests: the title request, and here also the OpenAI turn and the count.
    expect(value("switchyard_requests_total", "COUNTER", { lane_kind: "side", endpoint: "messages" })).toBe(1);
    expect(value("switchyard_requests_total", "COUNTER", { lane_kind: "main" })).toBe(2);
    expect(value("switchyard_requests_total", "COUNTER", { endpoint: "count_tokens" })).toBe(1);
  });

  it("has TTFT and duration histograms with one observation per turn", () => {
    family("switchyard_time_to_first_token_seconds", "HISTOGRAM");
    family("switchyard_request_duration_seconds", "HISTOGRAM");
    // parse-prometheus-text-format folds a labelled histogram into one bucket map and drops its _count and
    // _sum lines, so the per-series numbers are read from those lines of the text.
    const series = (name: string, suffix: "count" | "sum") =>
      [...exposition.matchAll(new RegExp(`^${name}_${suffix}\\{([^}]*)\\} (\\S+)$`, "gm"))].map((match) => ({
        labels: match[1] as string,
        value: Number(match[2]),
      }));
    const durations = series("switchyard_request_duration_seconds", "count");
    expect(sum(durations.map((entry) => entry.value))).toBe(5);
    const ttftCounts = series("switchyard_time_to_first_token_seconds", "count");
    expect(sum(ttftCounts.map((entry) => entry.value))).toBe(turns.filter((turn) => turn.ttftMs !== undefined).length);
    const main = (entries: Array<{ labels: string; value: number }>) =>
      entries.find((entry) => entry.labels === 'backend="local",lane_kind="main"')?.value;
    expect(main(ttftCounts)).toBe(2);
    expect(main(series("switchyard_time_to_first_token_seconds", "sum"))).toBeCloseTo(
      sum(turns.filter((turn) => turn.laneKind === "main").map((turn) => turn.ttftMs)) / 1000,
      6,
    );
  });

  it("counts tokens reused, prefilled and generated as the turn records say, and the reuse ratio", () => {
    const reused = value("switchyard_prompt_tokens_reused_total", "COUNTER", {});
    const prefilled = value("switchyard_prompt_tokens_prefilled_total", "COUNTER", {});
    expect(reused).toBe(sum(turns.map((turn) => turn.reusedTokens)));
    expect(prefilled).toBe(sum(turns.map((turn) => turn.prefilledTokens)));
    expect(prefilled).toBeGreaterThan(0);
    expect(value("switchyard_output_tokens_total", "COUNTER", {})).toBe(sum(turns.map((turn) => turn.outputTokens)));
    expect(value("switchyard_output_tokens_total", "COUNTER", {})).toBeGreaterThan(0);
    expect(value("switchyard_prompt_reuse_ratio", "GAUGE", { backend: "local" })).toBeCloseTo(
      reused / (reused + prefilled),
      9,
    );
  });

  it("counts the miss by its reason", () => {
    const missed = turns.filter((turn) => turn.miss);
    expect(missed.map((turn) => turn.miss?.reason)).toEqual(["prompt-changed"]);
    expect(value("switchyard_cache_misses_total", "COUNTER", { reason: "prompt-changed", lane_kind: "main" })).toBe(1);
    expect(value("switchyard_cache_misses_total", "COUNTER", {})).toBe(1);
  });

  it("has a cost counter (zero: every turn was local) and the backend's health and slots", () => {
    expect(families.get("switchyard_cost_usd_total")?.type).toBe("COUNTER");
    expect(value("switchyard_cost_usd_total", "COUNTER", { backend: "local" })).toBe(0);
    expect(value("switchyard_backend_up", "GAUGE", { backend: "local", kind: "llama-server" })).toBe(1);
    expect(value("switchyard_backend_slots", "GAUGE", { backend: "local" })).toBe(4);
    // The main lane and the side lane of the session each hold a slot; the OpenAI turn made a lane of its own.
    expect(value("switchyard_backend_slots_held", "GAUGE", { backend: "local", lane_kind: "main" })).toBe(
      new Set(turns.filter((turn) => turn.laneKind === "main" && turn.slot !== undefined).map((turn) => turn.sessionId))
        .size,
    );
    expect(value("switchyard_backend_slots_held", "GAUGE", { backend: "local", lane_kind: "side" })).toBe(
      new Set(turns.filter((turn) => turn.laneKind === "side" && turn.slot !== undefined).map((turn) => turn.sessionId))
        .size,
    );
    expect(value("switchyard_backend_slots_busy", "GAUGE", { backend: "local" })).toBe(0);
    expect(value("switchyard_backend_slots_in_ram_cache", "GAUGE", { backend: "local" })).toBe(0);
  });
});
