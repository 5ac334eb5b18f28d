import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { fixtureRequests, replayHeaders } from "./support/fixtures.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

async function replay(
  gateway: Gateway,
  session: string,
  change?: (body: Record<string, unknown>, file: string) => void,
) {
  const before = gateway.recorder.recent(100_000).length;
  let sent = 0;
  for (const request of fixtureRequests(session)) {
    if (!request.body) continue;
    sent++;
    const body = structuredClone(request.body);
    change?.(body, request.file);
    const response = await fetch(`${gateway.url}${request.url}`, {
      method: "POST",
      headers: replayHeaders(request),
      body: JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
  }
  // A turn's record is written just after its answer ends: wait for the last one before reading the file.
  await waitForTurns(gateway.recorder, before + sent);
  await gateway.recorder.flush();
  return gateway.recorder.recent().filter((turn) => turn.endpoint === "messages");
}

describe("per-turn cache records", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("pins lanes to slots and reuses each lane's whole previous prompt, second prompt included", async () => {
    const turns = await replay(gateway, "basic-session");
    const main = turns.filter((turn) => turn.lane === "main");
    const side = turns.filter((turn) => turn.lane === "side");
    expect(main.length).toBe(6);
    expect(side.length).toBe(1);
    expect(new Set(main.map((turn) => turn.slot)).size).toBe(1);
    expect(main[0]?.slot).not.toBe(side[0]?.slot);
    expect(main[0]?.sessionId).toBe("1c23279c-f048-4e03-8ee0-50e7b5d3a81a");
    for (const turn of main.slice(1)) {
      expect(turn.miss, JSON.stringify(turn.miss)).toBeUndefined();
      expect(turn.expectedReuse).toBeGreaterThan(0);
      expect(turn.reusedTokens).toBeGreaterThanOrEqual((turn.expectedReuse ?? 0) - 4);
      expect(turn.prefilledTokens).toBeLessThan((turn.promptTokens ?? 0) - (turn.expectedReuse ?? 0) + 80);
    }
    // The records are also in the append-only JSONL file and behind GET /v1/switchyard/turns.
    const served = (await (await fetch(`${gateway.url}/v1/switchyard/turns?limit=3`)).json()) as {
      turns: TurnRecord[];
    };
    expect(served.turns).toHaveLength(3);
  });

  it("names the earlier message that changed when reuse falls short", async () => {
    // The same session again under a new id, with the first user message edited from the third request on.
    const turns = await replay(gateway, "bare-session", (body, file) => {
      const messages = body.messages as Array<{ content: unknown }>;
      if (file >= "004.json" && messages[0]) messages[0].content = "a deliberately different first question";
    });
    const missed = turns.filter((turn) => turn.miss);
    expect(missed).toHaveLength(1);
    const miss = missed[0]?.miss;
    expect(miss?.reason).toBe("prompt-changed");
    expect(miss?.divergence?.path).toBe("messages[0].content[0]");
    expect(miss?.divergence?.after).toContain("a deliberately different first question");
    expect(miss?.explanation).toContain("messages[0].content[0]");
  });
});

describe("the JSONL turn file", () => {
  it("holds one JSON record per line", async () => {
    const gateway = await startTestGateway();
    try {
      await replay(gateway, "bare-session");
      const path = gateway.recorder.jsonlPath as string;
      const lines = readFileSync(path, "utf8").trim().split("\n");
      expect(lines.length).toBeGreaterThanOrEqual(7);
      for (const line of lines) expect((JSON.parse(line) as TurnRecord).id).toBeTruthy();
    } finally {
      await gateway.close();
    }
  });
});
