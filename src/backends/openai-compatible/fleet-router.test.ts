import { describe, expect, it } from "vitest";
import type { Lane } from "../../sessions/lane.js";
import { FleetRouterAffinity, laneRoutingKey } from "./fleet-router.js";

const main: Lane = { sessionId: "s1", name: "main", kind: "main" };
const subagent: Lane = { sessionId: "s1", name: "subagent:a7", kind: "subagent" };

describe("FleetRouterAffinity", () => {
  it("names the lane, percent-encoding what a header value may not hold", () => {
    expect(laneRoutingKey(main)).toBe("s1:main");
    expect(laneRoutingKey({ ...main, sessionId: "café session" })).toBe("caf%C3%A9%20session%3Amain");
  });

  it("gives Dynamo a subagent's chain and its parent, the main agent's", () => {
    const dynamo = new FleetRouterAffinity({ kind: "dynamo" });
    expect(dynamo.headers(main)).toEqual({ "x-dynamo-session-id": "s1:main" });
    expect(dynamo.headers(subagent)).toEqual({
      "x-dynamo-session-id": "s1:subagent:a7",
      "x-dynamo-parent-session-id": "s1:main",
    });
    expect(dynamo.headers(undefined)).toEqual({});
  });

  it("sends the vLLM router's configured --session-key header", () => {
    expect(new FleetRouterAffinity({ kind: "vllm-production-stack" }).headers(main)).toEqual({
      "x-user-id": "s1:main",
    });
    expect(
      new FleetRouterAffinity({ kind: "vllm-production-stack", sessionHeader: "X-Team-Session" }).headers(main),
    ).toEqual({ "x-team-session": "s1:main" });
  });

  it("sends back llm-d's cookie to the lane it was set for, and no other", () => {
    const llmd = new FleetRouterAffinity({ kind: "llm-d" });
    expect(llmd.headers(main)).toEqual({});
    llmd.observe(main, { "set-cookie": ["other=1; Path=/", "llm-d-session=ZGVmYXVsdC9wb2QtMQ==; Path=/; HttpOnly"] });
    expect(llmd.headers(main)).toEqual({ cookie: "llm-d-session=ZGVmYXVsdC9wb2QtMQ==" });
    expect(llmd.headers(subagent)).toEqual({});
    llmd.observe(main, { "set-cookie": "llm-d-session=bmV3; Path=/" });
    expect(llmd.headers(main)).toEqual({ cookie: "llm-d-session=bmV3" });
  });
});
