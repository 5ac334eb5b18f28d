import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../../test/support/canonical-request.js";
import type { CanonicalMessage, CanonicalRequest } from "../../core/canonical.js";
import { chooseCopySource, MIN_COPY_TOKENS, sharedHeadFraction } from "./prefix-copy.js";

const systemText = "You are an agent. ".repeat(200);
const system = [{ type: "text" as const, text: systemText }];
const tools = [{ name: "Bash", description: "Runs a command. ".repeat(100), inputSchema: { type: "object" } }];
const user = (text: string): CanonicalMessage => ({ role: "user", parts: [{ type: "text", text }] });
const request = (messages: CanonicalMessage[], overrides: Partial<CanonicalRequest> = {}) =>
  canonicalRequest({ system, tools, messages, ...overrides });

describe("sharedHeadFraction", () => {
  const source = request([
    user("first session's question"),
    { role: "assistant", parts: [{ type: "text", text: "ok" }] },
  ]);

  it("counts the system prompt and tools another session's first request shares", () => {
    const fraction = sharedHeadFraction(source, request([user("another question")]));
    expect(fraction).toBeGreaterThan(0.9);
    expect(fraction).toBeLessThan(1);
  });

  it("counts all of a request the new one extends", () => {
    expect(sharedHeadFraction(source, request([...source.messages, user("more")]))).toBe(1);
  });

  it("stops at the first system part that differs, and counts no tools after it", () => {
    const changed = request([user("another question")], { system: [{ type: "text", text: "Other." }] });
    expect(sharedHeadFraction(source, changed)).toBe(0);
    const longer = request([user("another question")], { system: [...system, { type: "text", text: "git status" }] });
    const fraction = sharedHeadFraction(source, longer);
    expect(fraction).toBeGreaterThan(0.5);
    expect(fraction).toBeLessThan(sharedHeadFraction(source, request([user("another question")])));
  });

  it("shares nothing past the system prompt when the tools differ", () => {
    const fraction = sharedHeadFraction(source, request([user("x")], { tools: [] }));
    const systemShare = systemText.length;
    const total =
      systemShare + JSON.stringify(tools).length + JSON.stringify(source.messages.flatMap((m) => m.parts)).length;
    expect(fraction).toBeGreaterThan(0);
    expect(fraction).toBeCloseTo(systemShare / total, 1);
    expect(fraction).toBeLessThan(sharedHeadFraction(source, request([user("x")])));
  });
});

describe("chooseCopySource", () => {
  const next = request([user("another question")]);
  const candidate = (slot: number, tokens: number, from: CanonicalRequest, promptTokens = tokens) => ({
    slot,
    tokens,
    request: from,
    promptTokens,
  });

  it("picks the slot sharing the longest head", () => {
    const otherTools = request([user("first")], { tools: [{ ...tools[0], name: "Shell" }] as typeof tools });
    const chosen = chooseCopySource(
      next,
      [candidate(0, 4000, otherTools), candidate(1, 4000, request([user("first")]))],
      8000,
      65536,
    );
    expect(chosen?.slot).toBe(1);
    expect(chosen?.sharedTokens).toBeGreaterThan(3500);
  });

  it("copies nothing too small to be worth a file, or a slot mostly holding something else", () => {
    expect(chooseCopySource(next, [candidate(0, MIN_COPY_TOKENS, request([user("first")]))], 0, 65536)).toBeUndefined();
    // The head is most of the last prompt, but the slot holds over twice as much (a long answer since).
    expect(chooseCopySource(next, [candidate(0, 8000, request([user("first")]), 4000)], 0, 65536)).toBeUndefined();
    expect(chooseCopySource(next, [candidate(0, 7000, request([user("first")]), 4000)], 0, 65536)?.slot).toBe(0);
  });

  it("of slots sharing about as much, copies the one holding the fewest tokens", () => {
    // A longer session's slot: the same head, more after it (here in its last prompt's tools' place).
    const longer = candidate(0, 6000, request([user("first"), user("x".repeat(2000))]));
    const shorter = candidate(1, 4000, request([user("first")]));
    expect(chooseCopySource(next, [longer, shorter], 10_000, 65536)?.slot).toBe(1);
  });

  it("copies nothing that does not fit beside what the context holds", () => {
    expect(chooseCopySource(next, [candidate(0, 4000, request([user("first")]))], 62_000, 65536)).toBeUndefined();
    expect(chooseCopySource(next, [candidate(0, 4000, request([user("first")]))], 61_000, 65536)?.slot).toBe(0);
  });

  it("skips a slot that has been emptied", () => {
    expect(chooseCopySource(next, [candidate(0, 0, request([user("first")]), 4000)], 0, 65536)).toBeUndefined();
  });
});
