import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVAL_RUN_HEADER, EVAL_TASK_HEADER } from "../src/telemetry/eval-tag.js";
import type { SessionSummary } from "../src/telemetry/turn-source.js";
import { countedChat, withCountingGateway } from "./support/counting-gateway.js";

/**
 * `switchyard eval run` tags its agents' requests with the run and task; the gateway copies the tag onto
 * the turn record, and the dashboard's API returns it on the session and its turns, with the in-memory
 * ring behind it and with the SQLite store (PostgreSQL: src/store/turn-store.test.ts).
 */
describe.each([
  { source: "memory", store: () => ({ path: null }) },
  { source: "sqlite", store: () => ({ path: join(mkdtempSync(join(tmpdir(), "switchyard-eval-tag-")), "turns.db") }) },
])("eval tags with the $source source", ({ store }) => {
  it("a tagged request's turn carries the run and task, and the dashboard API returns them", async () => {
    await withCountingGateway({ store: store() }, async ({ gateway }) => {
      const send = (sessionId: string, headers: Record<string, string>) =>
        fetch(`${gateway.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-session-id": sessionId, ...headers },
          body: JSON.stringify(countedChat),
          signal: AbortSignal.timeout(10_000),
        }).then((response) => response.text());
      await send("eval-session", {
        [EVAL_RUN_HEADER]: "run-2026-12-04",
        [EVAL_TASK_HEADER]: "fizzbuzz",
        "user-agent": "codex_exec/0.171.0 (Debian 12.0.0; x86_64) dumb (codex_exec; 0.171.0)",
      });
      await send("plain-session", {});
      // A value that is not short printable ASCII is dropped, never stored or shown.
      await send("bad-session", { [EVAL_RUN_HEADER]: "x".repeat(300) });

      const overview = async () => {
        const response = await fetch(`${gateway.url}/dashboard/api/overview`, { signal: AbortSignal.timeout(5000) });
        return ((await response.json()) as { sessions: SessionSummary[] }).sessions;
      };
      let sessions = await overview();
      while (sessions.length < 3) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        sessions = await overview();
      }
      const byId = new Map(sessions.map((session) => [session.sessionId, session]));
      expect(byId.get("eval-session")?.evalTag).toEqual({ run: "run-2026-12-04", task: "fizzbuzz" });
      expect(byId.get("plain-session")).not.toHaveProperty("evalTag");
      expect(byId.get("bad-session")).not.toHaveProperty("evalTag");
      // The agent, from its user-agent, kept beside the tag by either source.
      expect(byId.get("eval-session")?.client).toBe("Codex 0.171.0");

      const turnsOf = async (sessionId: string) => {
        const response = await fetch(`${gateway.url}/dashboard/api/sessions/${sessionId}/turns`, {
          signal: AbortSignal.timeout(5000),
        });
        return ((await response.json()) as { turns: Array<{ evalTag: unknown }> }).turns;
      };
      expect((await turnsOf("eval-session")).map((turn) => turn.evalTag)).toEqual([
        { run: "run-2026-12-04", task: "fizzbuzz" },
      ]);
      expect((await turnsOf("plain-session")).map((turn) => turn.evalTag)).toEqual([null]);
      // The record itself, as the JSONL file, the store and /v1/switchyard read it.
      expect(gateway.recorder.all().find((turn) => turn.sessionId === "eval-session")?.evalTag).toEqual({
        run: "run-2026-12-04",
        task: "fizzbuzz",
      });
    });
  });
});
