import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { agentEngineArgs } from "../src/engine/engine-args.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { startCli, waitForLine } from "./cli.js";
import { fixtureRequests, replayHeaders } from "./support/fixtures.js";

/** A turn as the client saw it: sent, answered in full, with the output token count the answer gave. */
interface SeenTurn {
  sessionId: string;
  sentAt: number;
  completedAt: number;
  outputTokens: number;
}

/** The output token count an Anthropic answer reports (the final message_delta of a stream). */
function outputTokens(text: string, stream: boolean): number {
  if (!stream) return (JSON.parse(text) as { usage: { output_tokens: number } }).usage.output_tokens;
  let tokens = -1;
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: ")) continue;
    const event = JSON.parse(line.slice(6)) as { type: string; usage?: { output_tokens?: number } };
    if (event.type === "message_delta" && event.usage?.output_tokens !== undefined) tokens = event.usage.output_tokens;
  }
  return tokens;
}

describe("the turn store when the gateway is killed with SIGKILL during a replay", () => {
  let engine: EngineSupervisor | undefined;
  let gateway: ChildProcess | undefined;
  afterAll(async () => {
    if (gateway?.exitCode === null && gateway.signalCode === null) gateway.kill("SIGKILL");
    await engine?.stop();
  });

  it("holds every turn the client had seen complete before the kill", async () => {
    // The engine runs apart from the gateway, so killing the gateway leaves no orphan to find.
    engine = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: agentEngineArgs(configSchema.parse({ engine: { slots: 4, contextSize: 65536, cacheRamMiB: 2048 } }).engine),
    });
    const scratch = mkdtempSync(join(tmpdir(), "switchyard-durability-"));
    const storePath = join(scratch, "switchyard.db");
    const configPath = join(scratch, "config.json");
    writeFileSync(configPath, JSON.stringify({ store: { path: storePath }, telemetry: { turnsFile: null } }));
    gateway = startCli(["serve", "--port", "0", "--backend", engine.url], { SWITCHYARD_CONFIG: configPath });
    const [, url] = await waitForLine(gateway, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const exited = new Promise<void>((resolve) => gateway?.once("exit", () => resolve()));

    // The bare session again and again, each round as a new session, one request at a time; the kill
    // comes while a request is in flight once enough turns are done.
    const requests = fixtureRequests("bare-session").filter((request) => request.body);
    const seen: SeenTurn[] = [];
    const KILL_AFTER = 10;
    let killedAt = 0;
    for (let round = 0; killedAt === 0; round++) {
      const sessionId = `durability-${round}`;
      for (const request of requests) {
        const sentAt = Date.now();
        const answer = fetch(`${url}${request.url}`, {
          method: "POST",
          headers: { ...replayHeaders(request), "x-claude-code-session-id": sessionId },
          body: JSON.stringify(request.body),
          signal: AbortSignal.timeout(120_000),
        }).then(async (response) => ({ status: response.status, text: await response.text() }));
        if (seen.length >= KILL_AFTER) {
          // Give the request time to reach the gateway, then kill it mid-turn.
          await new Promise((resolve) => setTimeout(resolve, 50));
          killedAt = Date.now();
          gateway.kill("SIGKILL");
          await answer.catch(() => undefined);
          break;
        }
        const { status, text } = await answer;
        expect(status, text).toBe(200);
        seen.push({
          sessionId,
          sentAt,
          completedAt: Date.now(),
          outputTokens: outputTokens(text, request.body?.stream === true),
        });
      }
    }
    await exited;
    expect(gateway.signalCode).toBe("SIGKILL");

    // What the file holds after the kill, read as the next gateway would (the WAL is replayed on open).
    const db = new Database(storePath);
    const stored = (db.prepare("SELECT record FROM turns ORDER BY started_at").all() as Array<{ record: string }>).map(
      (row) => JSON.parse(row.record) as TurnRecord,
    );
    db.close();

    // A completed turn is committed before its answer's last event (docs/design/store.md), so every turn
    // the client saw complete is there, the one that completed just before the killed request included.
    const durable = seen;
    expect(durable).toHaveLength(KILL_AFTER);
    // Requests of a session went one at a time, so its n-th stored turn is its n-th request.
    const storedBySession = new Map<string, TurnRecord[]>();
    for (const record of stored) {
      const list = storedBySession.get(record.sessionId ?? "") ?? [];
      list.push(record);
      storedBySession.set(record.sessionId ?? "", list);
    }
    for (const turn of durable) {
      const index = seen.filter((other) => other.sessionId === turn.sessionId).indexOf(turn);
      const record = storedBySession.get(turn.sessionId)?.[index];
      expect(record, `turn ${index} of ${turn.sessionId}`).toBeDefined();
      expect(record?.status).toBe(200);
      expect(record?.outputTokens).toBe(turn.outputTokens);
      expect(Date.parse(record?.startedAt ?? "")).toBeGreaterThanOrEqual(turn.sentAt);
      expect(Date.parse(record?.startedAt ?? "")).toBeLessThanOrEqual(turn.completedAt);
    }
    // And nothing the client did not send: at most the turns it saw, plus none for the killed request.
    expect(stored.length).toBeLessThanOrEqual(seen.length);
    expect(stored.every((record) => record.sessionId?.startsWith("durability-"))).toBe(true);
  });
});
