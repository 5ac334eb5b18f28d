import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import type { SessionStatus } from "../src/gateway/session-summary-route.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { PostgresTurnStore } from "../src/store/postgres-turn-store.js";
import type { Report } from "../src/telemetry/session-report.js";
import { runCli } from "./cli.js";
import { type OpenAIProtocolServer, startOpenAIProtocolServer } from "./support/openai-protocol-server.js";
import { type PostgresServer, startPostgres } from "./support/postgres-server.js";

/**
 * A gateway whose store is a real PostgreSQL server (`store.url`): the status line's summary route, the
 * dashboard's API and `switchyard report` (a separate process) all read the turns it wrote there.
 */
describe("a gateway with its turns in PostgreSQL", () => {
  let postgres: PostgresServer;
  let upstream: OpenAIProtocolServer;
  let gateway: RunningSwitchyard;
  let url: string;
  const SESSIONS = ["pg-session-a", "pg-session-b"];
  const TURNS_EACH = 3;

  beforeAll(async () => {
    postgres = await startPostgres();
    url = await postgres.createDatabase("gateway");
    upstream = await startOpenAIProtocolServer({ script: () => ({ status: 200, sse: "text-stream" }) });
    const config = configSchema.parse({
      backends: [{ name: "cloud", type: "openai-compatible", url: `${upstream.url}/v1`, models: ["gpt-4o-mini"] }],
      models: { "gpt-4o-mini": "cloud" },
      telemetry: { turnsFile: null },
      store: { url },
    });
    gateway = await startSwitchyard({ config, host: "127.0.0.1", port: 0, probeLocal: false });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await postgres?.stop();
  });

  it("opens a PostgresTurnStore from store.url and refuses a mistyped store setting", () => {
    expect(gateway.store).toBeInstanceOf(PostgresTurnStore);
    expect(configSchema.safeParse({ store: { url: "mysql://x" } }).success).toBe(false);
    expect(configSchema.safeParse({ store: { uri: url } }).success).toBe(false);
    const both = configSchema.safeParse({ store: { url, path: "/tmp/x.db" } });
    expect(both.error?.issues[0]?.message).toContain("give one");
  });

  it("serves turns whose records the status line, the dashboard and report read back from the database", async () => {
    for (let turn = 0; turn < TURNS_EACH; turn++) {
      for (const session of SESSIONS) {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-session-id": session },
          body: JSON.stringify({
            model: "gpt-4o-mini",
            stream: true,
            messages: [{ role: "user", content: `turn ${turn} of ${session}` }],
          }),
        });
        expect(response.status).toBe(200);
        await response.text();
      }
    }
    await gateway.recorder.flush();
    await gateway.store?.flush();

    // What `switchyard statusline` asks for.
    const summary = (await (
      await fetch(`${gateway.url}/v1/switchyard/sessions/${SESSIONS[0]}/summary`)
    ).json()) as SessionStatus;
    expect(summary.session?.turns).toBe(TURNS_EACH);
    expect(summary.lastTurn?.backend).toBe("cloud");

    // What the dashboard lists.
    const sessions = (await (await fetch(`${gateway.url}/dashboard/api/overview`)).json()) as {
      sessions: Array<{ sessionId: string; turns: number }>;
    };
    for (const session of SESSIONS)
      expect(sessions.sessions.find((listed) => listed.sessionId === session)?.turns).toBe(TURNS_EACH);

    // `switchyard report`, another process, from the config's store.url and from --store.
    const config = join(mkdtempSync(join(tmpdir(), "switchyard-report-")), "config.json");
    writeFileSync(config, JSON.stringify({ store: { url } }));
    for (const args of [
      ["--config", config],
      ["--store", url],
    ]) {
      const result = await runCli(["report", "--json", ...args]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`turns from the store ${url}`);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.total.cloudTurns).toBe(SESSIONS.length * TURNS_EACH);
      expect(report.sessions.map((session) => session.sessionId).sort()).toEqual(SESSIONS);
    }
  });
});
