import { afterEach, describe, expect, it } from "vitest";
import { FLEET_ROUTER_KINDS, type FleetRouterKind } from "../src/backends/openai-compatible/fleet-router.js";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import { type FleetRouterFake, startFleetRouterFake } from "./support/fleet-router-servers.js";

/**
 * Switchyard in front of each fleet router: every generation carries the session hint the router
 * documents (its loopback fake refuses one without it), the same hint for every turn of a lane and
 * another for another session, and each turn's record shows the reuse the router's usage reported.
 */
describe("fleet routers as backends", () => {
  const running: Array<{ gateway: RunningSwitchyard; fake: FleetRouterFake }> = [];
  afterEach(async () => {
    for (const { gateway, fake } of running.splice(0)) {
      await gateway.close();
      await fake.server.close();
    }
  });

  async function gatewayFor(kind: FleetRouterKind, fleetRouter: Record<string, unknown> | undefined) {
    const fake = await startFleetRouterFake(kind, { sessionHeader: fleetRouter?.sessionHeader as string | undefined });
    const config = configSchema.parse({
      backends: [
        {
          name: "fleet",
          type: "openai-compatible",
          url: `${fake.server.url}/v1`,
          models: ["fleet-model"],
          fleetRouter,
        },
      ],
      models: { "fleet-model": "fleet" },
      telemetry: { turnsFile: null },
      store: { path: null },
    });
    const gateway = await startSwitchyard({ config, host: "127.0.0.1", port: 0, probeLocal: false });
    running.push({ gateway, fake });
    return { gateway, fake };
  }

  const tools = [{ type: "function", function: { name: "read_file", parameters: { type: "object", properties: {} } } }];
  /** One turn of a session's main lane (it has tools), the conversation so far plus one user message. */
  async function turn(gateway: RunningSwitchyard, session: string, index: number) {
    const messages: Array<{ role: string; content: string }> = [];
    for (let earlier = 0; earlier < index; earlier++)
      messages.push(
        { role: "user", content: `question ${earlier}` },
        { role: "assistant", content: `answer ${earlier}` },
      );
    messages.push({ role: "user", content: `question ${index}` });
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session },
      body: JSON.stringify({ model: "fleet-model", stream: true, messages, tools }),
    });
    return { status: response.status, text: await response.text() };
  }

  for (const kind of FLEET_ROUTER_KINDS) {
    it(`${kind}: sends its session hint on every turn, one per lane, and records the reuse it reports`, async () => {
      const settings = kind === "vllm-production-stack" ? { kind, sessionHeader: "x-team-session" } : { kind };
      const { gateway, fake } = await gatewayFor(kind, settings);
      for (let index = 0; index < 3; index++) {
        for (const session of ["fleet-a", "fleet-b"]) {
          const answer = await turn(gateway, session, index);
          expect(answer.status, answer.text).toBe(200);
        }
      }
      expect(fake.hints).toHaveLength(6);
      const [a0, b0, a1, b1, a2, b2] = fake.hints;
      if (kind === "llm-d") {
        // The first turn has no cookie yet; every later one sends back the cookie its session was given.
        expect([a0, b0]).toEqual(["(first)", "(first)"]);
        expect(a1).not.toBe(b1);
      } else {
        expect(a0).toBe("fleet-a:main");
        expect(b0).toBe("fleet-b:main");
      }
      expect([a1, a2]).toEqual([a1, a1]);
      expect([b1, b2]).toEqual([b1, b1]);
      await gateway.recorder.flush();
      const records = gateway.recorder.recent(100).filter((record) => record.endpoint !== "count_tokens");
      expect(records).toHaveLength(6);
      for (const record of records) {
        expect(record.backend).toBe("fleet");
        expect(record.reusedTokens).toBe(fake.cachedTokens);
      }
    });
  }

  it("a backend not marked as a fleet router sends no hint, and the fake router refuses it", async () => {
    const { gateway, fake } = await gatewayFor("sglang-router", undefined);
    const answer = await turn(gateway, "unmarked", 0);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(fake.hints).toEqual([]);
  });

  it("refuses a sessionHeader on a router whose hint is fixed, and an unknown router", () => {
    const parse = (fleetRouter: unknown) =>
      configSchema.safeParse({ backends: [{ name: "f", type: "openai-compatible", url: "http://x/v1", fleetRouter }] });
    expect(parse({ kind: "dynamo", sessionHeader: "x-a" }).success).toBe(false);
    expect(parse({ kind: "ray-serve" }).success).toBe(false);
    expect(parse({ kind: "vllm-production-stack", sessionHeader: "bad header" }).success).toBe(false);
    expect(parse({ kind: "llm-d", extra: 1 }).success).toBe(false);
    expect(parse({ kind: "llm-d" }).success).toBe(true);
  });
});

describe("the worked example in docs/examples/vllm-production-stack", () => {
  it("holds a Switchyard config the schema accepts, marking the backend as the vLLM router", async () => {
    const { readFileSync } = await import("node:fs");
    const manifest = readFileSync(
      new URL("../docs/examples/vllm-production-stack/switchyard.yaml", import.meta.url),
      "utf8",
    );
    const block = /config\.template\.json: \|\n((?: {4}.*\n)+)/.exec(manifest)?.[1] ?? "";
    const json = block.replace(/^ {4}/gm, "").replace(/\$\{STORE_URL\}/, "postgres://u:p@db:5432/switchyard");
    const config = configSchema.parse(JSON.parse(json));
    expect(config.backends[0]).toMatchObject({
      fleetRouter: { kind: "vllm-production-stack", sessionHeader: "x-user-id" },
    });
    expect(config.store.url).toContain("postgres://");
    const values = readFileSync(new URL("../docs/examples/vllm-production-stack/values.yaml", import.meta.url), "utf8");
    expect(values).toContain('routingLogic: "session"');
    expect(values).toContain('sessionKey: "x-user-id"');
  });
});
