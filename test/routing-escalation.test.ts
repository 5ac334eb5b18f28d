import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../src/telemetry/session-report.js";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { runCli } from "./cli.js";
import {
  type AnthropicProtocolServer,
  DOCUMENTED_COUNT_TOKENS,
  startAnthropicProtocolServer,
} from "./support/anthropic-protocol-server.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { fixtureRequests } from "./support/fixtures.js";
import { FailingToolsReplay, postFixture, trailingWireErrors } from "./support/routing-replay.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

const CLOUD_MODEL = "claude-sonnet-4-5-20250929";

/**
 * A recorded Claude Code session replayed through Switchyard with its tools failing: the real
 * llama-server is local, a loopback server replaying Anthropic's documented stream is the cloud.
 */
describe.each([2, 3])("escalation after %i failed tool results in a row", (threshold) => {
  // What does not depend on the threshold runs for the first only (twice cost CI half a minute).
  const onceOnly = it.runIf(threshold === 2);
  let cloud: AnthropicProtocolServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    cloud = await startAnthropicProtocolServer({
      script: (request) =>
        request.path.startsWith("/v1/messages/count_tokens")
          ? { status: 200, json: DOCUMENTED_COUNT_TOKENS }
          : { status: 200, sse: "text-stream" },
    });
    gateway = await startTestGateway({
      backends: [{ name: "cloud", type: "anthropic", url: cloud.url, apiKey: "sk-ant-test", models: [CLOUD_MODEL] }],
      routing: { escalation: { toolErrors: threshold } },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
  });

  it("moves the session to the cloud at the threshold, keeps it there, and leaves other sessions local", async () => {
    const replay = new FailingToolsReplay();
    const sent: Array<{ file: string; errors: number; mainLane: boolean }> = [];
    for (const request of fixtureRequests("basic-session")) {
      if (request.method === "HEAD") continue;
      const body = replay.body(request);
      const response = await postFixture(gateway.url, request, body);
      expect(response.status, request.file).toBe(200);
      expect(checkAnthropicStream(await response.text()).violations, request.file).toEqual([]);
      sent.push({
        file: request.file,
        errors: trailingWireErrors(body),
        mainLane: Array.isArray(body.tools) && body.tools.length > 0,
      });
    }
    const turns = await waitForTurns(gateway.recorder, sent.length);
    const escalatedAt = sent.findIndex((request) => request.errors >= threshold);
    expect(escalatedAt, "the replay reaches the threshold").toBeGreaterThan(0);
    for (const [index, turn] of turns.entries()) {
      const label = `${sent[index]?.file} (${sent[index]?.errors} trailing errors)`;
      expect(turn.backend, label).toBe(index < escalatedAt ? "local" : "cloud");
      expect(turn.routing, label).toBeDefined();
    }
    const switched = turns[escalatedAt] as TurnRecord;
    expect(switched.routing).toMatchObject({ rule: "tool-errors", sticky: false, mode: "cloud" });
    expect(switched.routing?.reason).toContain(`threshold ${threshold}`);
    // The lane moves from local to cloud: its whole prompt is cold there, priced at the cache-write rate.
    expect(switched.routing?.switchCost).toMatchObject({ from: "local", to: "cloud" });
    expect(switched.routing?.switchCost?.tokensNotCached).toBeGreaterThan(1000);
    expect(switched.routing?.switchCost?.cacheWriteUsd).toBeGreaterThan(0);
    expect(gateway.log.some((line) => line.includes("route=tool-errors(new) switch local→cloud"))).toBe(true);
    for (const turn of turns.slice(escalatedAt + 1))
      expect(turn.routing).toMatchObject({ rule: "tool-errors", sticky: true });
    for (const turn of turns.slice(0, escalatedAt)) expect(turn.routing?.mode).toBe("auto");
    // Cloud turns are priced at their model; local ones at the reference model.
    for (const turn of turns) {
      if (turn.backendLocal) expect(turn.cost?.referenceUsd, turn.id).toBeGreaterThan(0);
      else expect(turn.cost).toMatchObject({ modelPriced: "claude-sonnet-4-5" });
    }

    // Another session replaying the same requests is judged on its own conversation.
    const other = fixtureRequests("basic-session").find((request) => request.file === "004.json");
    if (!other) throw new Error("fixture 004.json is missing");
    const fresh = await postFixture(gateway.url, other, other.body, {
      "x-claude-code-session-id": `other-${threshold}`,
    });
    await fresh.text();
    const [otherTurn] = (await waitForTurns(gateway.recorder, sent.length + 1)).slice(-1);
    expect(otherTurn?.backend).toBe("local");
    expect(otherTurn?.routing?.mode).toBe("auto");
  }, 900_000);

  onceOnly(
    "comes back to local when the user asks with /local, and goes up again with the header",
    async () => {
      const session = fixtureRequests("basic-session").find((request) => request.file === "004.json");
      if (!session) throw new Error("fixture 004.json is missing");
      const ask = async (text: string, headers: Record<string, string> = {}) => {
        const before = gateway.recorder.recent(100_000).length;
        const body = structuredClone(session.body ?? {}) as { messages: unknown[] };
        body.messages = [{ role: "user", content: [{ type: "text", text }] }];
        const response = await postFixture(gateway.url, session, body, headers);
        expect(checkAnthropicStream(await response.text()).violations).toEqual([]);
        return (await waitForTurns(gateway.recorder, before + 1)).at(-1) as TurnRecord;
      };
      expect(await ask("/local\nfix it yourself")).toMatchObject({
        backend: "local",
        routing: { rule: "marker", mode: "local", sticky: false },
      });
      expect(await ask("carry on")).toMatchObject({ backend: "local", routing: { mode: "local", sticky: true } });
      expect(await ask("carry on", { "x-switchyard-route": "cloud" })).toMatchObject({
        backend: "cloud",
        routing: { rule: "header", sticky: false },
      });
    },
    600_000,
  );

  onceOnly(
    "answers an escalated session's count_tokens from the cloud, without taking a turn of its mode",
    async () => {
      const session = fixtureRequests("basic-session").find((request) => request.file === "004.json");
      if (!session?.body) throw new Error("fixture 004.json is missing");
      const sessionId = `counted-${threshold}`;
      const headers = { "x-claude-code-session-id": sessionId };
      const escalated = await postFixture(gateway.url, session, session.body, {
        ...headers,
        "x-switchyard-route": "cloud",
      });
      expect(checkAnthropicStream(await escalated.text()).violations).toEqual([]);
      expect(gateway.routing.modeOf(sessionId)).toBe("cloud");
      // Claude Code counts the conversation it is about to send: the same body, without max_tokens and stream.
      const { max_tokens: _max, stream: _stream, ...counted } = session.body as Record<string, unknown>;
      const countFor = async (id: string) => {
        const response = await postFixture(
          gateway.url,
          { ...session, url: "/v1/messages/count_tokens?beta=true" },
          counted,
          {
            "x-claude-code-session-id": id,
          },
        );
        expect(response.status).toBe(200);
        return ((await response.json()) as { input_tokens: number }).input_tokens;
      };
      const cloudCounts = () => cloud.requests.filter((request) => request.path.includes("count_tokens")).length;
      const before = { ...gateway.routing.policy.state(sessionId) };
      const countsBefore = cloudCounts();
      expect(await countFor(sessionId)).toBe(DOCUMENTED_COUNT_TOKENS.input_tokens);
      expect(cloudCounts()).toBe(countsBefore + 1);
      // Planned as a preview: the session's mode state is as the last turn left it.
      expect(gateway.routing.policy.state(sessionId)).toEqual(before);
      // A session that was not escalated is counted by the local model's own template and tokenizer.
      const local = await countFor(`not-escalated-${threshold}`);
      expect(local).toBeGreaterThan(1000);
      expect(cloudCounts()).toBe(countsBefore + 1);
    },
    600_000,
  );

  onceOnly(
    "reports the same totals as the turn records say, from the store by default and from the JSONL file",
    async () => {
      await gateway.recorder.flush();
      await gateway.store?.flush();
      const file = gateway.recorder.jsonlPath as string;
      const storeFile = join(dirname(file), "switchyard.db");
      const records = readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as TurnRecord)
        .filter((turn) => turn.endpoint !== "count_tokens");
      expect(records.length).toBeGreaterThan(5);
      // A config naming both files: the store is read; with no store file there, the JSONL file is.
      const configFor = (store: string) => {
        const path = join(mkdtempSync(join(tmpdir(), "switchyard-report-")), "config.json");
        writeFileSync(path, JSON.stringify({ store: { path: store }, telemetry: { turnsFile: file } }));
        return path;
      };
      const runs = [
        { args: ["--config", configFor(storeFile)], reads: storeFile },
        { args: ["--config", configFor(join(dirname(file), "no-store.db"))], reads: file },
        { args: ["--from", "turns-file", "--config", configFor(storeFile)], reads: file },
        { args: ["--store", storeFile], reads: storeFile },
        { args: ["--turns-file", file], reads: file },
      ];
      for (const run of runs) {
        const result = await runCli(["report", "--json", ...run.args]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain(
          `turns from ${run.reads === storeFile ? "the store" : "the JSONL file"} ${run.reads}`,
        );
        const report = JSON.parse(result.stdout) as Report;
        const sum = (pick: (turn: TurnRecord) => number | undefined) =>
          records.reduce((total, turn) => total + (pick(turn) ?? 0), 0);
        expect(report.total.localTurns).toBe(records.filter((turn) => turn.backendLocal === true).length);
        expect(report.total.cloudTurns).toBe(records.filter((turn) => turn.backendLocal === false).length);
        expect(report.total.cloudTurns).toBeGreaterThan(0);
        expect(report.total.prefilledTokens).toBe(sum((turn) => turn.prefilledTokens));
        expect(report.total.reusedTokens).toBe(sum((turn) => turn.reusedTokens));
        expect(report.total.outputTokens).toBe(sum((turn) => turn.outputTokens));
        expect(report.total.cloudUsd).toBeCloseTo(
          sum((turn) => turn.cost?.usd),
          10,
        );
        expect(report.total.referenceUsd).toBeCloseTo(
          sum((turn) => turn.cost?.referenceUsd),
          10,
        );
        expect(report.total.cloudUsd).toBeGreaterThan(0);
        const sessions = new Set(records.map((turn) => turn.sessionId));
        expect(report.sessions.map((row) => row.sessionId).sort()).toEqual([...sessions].sort());
        for (const row of report.sessions) {
          const own = records.filter((turn) => turn.sessionId === row.sessionId);
          expect(row.localTurns + row.cloudTurns, row.sessionId).toBe(own.length);
          expect(row.reusedTokens, row.sessionId).toBe(
            own.reduce((total, turn) => total + (turn.reusedTokens ?? 0), 0),
          );
        }
      }
      const table = await runCli(["report", "--store", storeFile]);
      expect(table.stdout).toMatch(/^total\s/m);
      const none = await runCli(["report", "--since", "2999-01-01T00:00:00Z", "--store", storeFile]);
      expect(none.stdout).toMatch(/^No turn records since 2999-01-01/);
      const missing = await runCli(["report", "--store", join(dirname(file), "no-store.db")]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("no turn store at");
    },
    300_000,
  );
});
