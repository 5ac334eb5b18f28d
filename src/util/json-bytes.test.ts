import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonBytes } from "./json-bytes.js";
import { deepFreeze } from "./remember-frozen.js";

const FIXTURE = join(import.meta.dirname, "..", "..", "test", "fixtures", "claude-code", "claude-code-2.1.197");

describe("jsonBytes", () => {
  it("writes exactly the bytes of JSON.stringify for any object or array", () => {
    const container = fc.oneof(fc.array(fc.anything()), fc.dictionary(fc.string({ unit: "binary" }), fc.anything()));
    fc.assert(
      fc.property(container, (value) => {
        expect(jsonBytes(value).equals(Buffer.from(JSON.stringify(value)))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
  it("writes exactly the bytes of JSON.stringify where parts are frozen, the first time and after", () => {
    const part = fc.oneof(fc.array(fc.anything()), fc.dictionary(fc.string({ unit: "binary" }), fc.anything()));
    fc.assert(
      fc.property(fc.array(fc.tuple(part, fc.boolean())), fc.string({ unit: "binary" }), (parts, text) => {
        const items = parts.map(([item, frozen]) => (frozen ? deepFreeze(item) : item));
        const body = { messages: items, text, nested: { items } };
        for (let time = 0; time < 2; time++)
          expect(jsonBytes(body).equals(Buffer.from(JSON.stringify(body)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
  it("writes a recorded 90 KB Claude Code request exactly", () => {
    const { body } = JSON.parse(readFileSync(join(FIXTURE, "agent-session", "013.json"), "utf8")) as { body: object };
    const bytes = jsonBytes(body);
    expect(bytes.length).toBeGreaterThan(80_000);
    expect(bytes.equals(Buffer.from(JSON.stringify(body)))).toBe(true);
  });
  it("serialises values with toJSON, and leaves out what JSON leaves out", () => {
    const value = { when: new Date(0), gone: undefined, f: () => 1, list: [undefined, () => 1, Symbol("s")] };
    expect(jsonBytes(value).toString()).toBe(JSON.stringify(value));
  });
  it("writes frozen values within a body exactly, from bytes remembered the first time", () => {
    const { body } = JSON.parse(readFileSync(join(FIXTURE, "agent-session", "013.json"), "utf8")) as {
      body: { tools: unknown[] };
    };
    const tools = deepFreeze(body.tools);
    const first = jsonBytes({ ...body, tools, extra: "—" });
    const second = jsonBytes({ ...body, tools, extra: "é" });
    expect(first.equals(Buffer.from(JSON.stringify({ ...body, tools, extra: "—" })))).toBe(true);
    expect(second.equals(Buffer.from(JSON.stringify({ ...body, tools, extra: "é" })))).toBe(true);
  });
});
