import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../../test/support/canonical-request.js";
import type { CanonicalMessage, CanonicalRequest } from "../../core/canonical.js";
import { type CopyCosts, chooseCopySource, MIN_COPY_TOKENS, sharedHeadFraction } from "./prefix-copy.js";

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
  /** Nothing known of a slot file's size: the static rule. */
  const unknown = {
    prefillTokensPerSecond: 100,
    bytesPerToken: undefined,
    copyBytesPerSecond: 250e6,
    maxFileBytes: 16e9,
  };
  /** A 30B MoE's f16 KV cache (~100 KB a token), its file saved and restored at 250 MB/s. */
  const cpu = { prefillTokensPerSecond: 100, bytesPerToken: 100_000, copyBytesPerSecond: 250e6, maxFileBytes: 16e9 };
  const gpu = { ...cpu, prefillTokensPerSecond: 5000 };
  const choose = (candidates: ReturnType<typeof candidate>[], inContext = 0, costs: CopyCosts = unknown) =>
    chooseCopySource(next, candidates, inContext, 131_072, costs);

  it("picks the slot sharing the longest head", () => {
    const otherTools = request([user("first")], { tools: [{ ...tools[0], name: "Shell" }] as typeof tools });
    const chosen = choose([candidate(0, 4000, otherTools), candidate(1, 4000, request([user("first")]))], 8000);
    expect(chosen?.slot).toBe(1);
    expect(chosen?.sharedTokens).toBeGreaterThan(3500);
  });

  it("copies nothing too small to be worth a file", () => {
    expect(choose([candidate(0, MIN_COPY_TOKENS, request([user("first")]))])).toBeUndefined();
    expect(choose([candidate(0, MIN_COPY_TOKENS, request([user("first")]))], 0, cpu)).toBeUndefined();
  });

  it("with a file's size unknown, copies only a slot holding at most twice the head", () => {
    // The head is most of the last prompt, but the slot holds over twice as much (a long answer since).
    expect(choose([candidate(0, 8000, request([user("first")]), 4000)])).toBeUndefined();
    expect(choose([candidate(0, 7000, request([user("first")]), 4000)])?.slot).toBe(0);
  });

  it("with its size known, copies a long session's slot where that costs under half the prefill it saves", () => {
    // A session 40,000 tokens long shares a ~10,000-token head: a 4 GB file, 16 s to save and restore.
    const long = candidate(0, 40_000, request([user("first")]), 10_000);
    // On a CPU prefilling 100 tokens/s the head is 100 s of prefill: copied.
    expect(choose([long], 0, cpu)?.slot).toBe(0);
    // On a GPU prefilling 5,000 tokens/s it is 2 s: not.
    expect(choose([long], 0, gpu)).toBeUndefined();
    // Of two such slots, the one that saves the most time: the shorter.
    const shorter = candidate(1, 12_000, request([user("first")]), 10_000);
    expect(choose([long, shorter], 52_000, cpu)?.slot).toBe(1);
    // Nor is a file larger than the disk slot files may take written.
    expect(choose([long], 0, { ...cpu, maxFileBytes: 3e9 })).toBeUndefined();
  });

  it("of slots sharing about as much, copies the one holding the fewest tokens", () => {
    // A longer session's slot: the same head, more after it (here in its last prompt's tools' place).
    const longer = candidate(0, 6000, request([user("first"), user("x".repeat(2000))]));
    const shorter = candidate(1, 4000, request([user("first")]));
    expect(choose([longer, shorter], 10_000)?.slot).toBe(1);
  });

  it("copies nothing that does not fit beside what the context holds", () => {
    expect(choose([candidate(0, 4000, request([user("first")]))], 128_000)).toBeUndefined();
    expect(choose([candidate(0, 4000, request([user("first")]))], 127_000)?.slot).toBe(0);
  });

  it("skips a slot that no longer holds its lane's last prompt", () => {
    expect(choose([candidate(0, 0, request([user("first")]), 4000)])).toBeUndefined();
    // Room-making left it a one-token prompt (its lane's prompt waits in the RAM cache): cheap, and useless.
    expect(choose([candidate(0, 2, request([user("first")]), 4000)], 0, cpu)).toBeUndefined();
  });
});
