import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RepeatedJsonMembers } from "./repeated-json-members.js";

const parse = (bytes: Buffer) => JSON.parse(bytes.toString("utf8")) as unknown;
const tools = Array.from({ length: 40 }, (_, index) => ({
  name: `tool_${index}`,
  description: `Does thing ${index} — with "quotes", \\ and {brackets}`,
  input_schema: { type: "object", properties: { path: { type: "string" } } },
}));
const body = (messages: unknown[], extra: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ model: "m", messages, tools, system: [{ type: "text", text: "short" }], ...extra }));

describe("RepeatedJsonMembers", () => {
  it("gives what JSON.parse gives, with a repeated member the same frozen object each time", () => {
    const repeated = new RepeatedJsonMembers(["tools", "system"]);
    const first = repeated.parse(body([{ role: "user", content: "a" }]), parse) as Record<string, unknown>;
    const second = repeated.parse(body([{ role: "user", content: "b" }]), parse) as Record<string, unknown>;
    expect(second).toEqual(JSON.parse(body([{ role: "user", content: "b" }]).toString()));
    expect(second.tools).toBe(first.tools);
    expect(Object.isFrozen(second.tools)).toBe(true);
    expect(Object.isFrozen((second.tools as Array<{ input_schema: object }>)[0]?.input_schema)).toBe(true);
    // Below the size worth remembering: parsed each time.
    expect(Object.isFrozen(second.system)).toBe(false);
  });

  it("parses a member again as soon as one byte of it differs", () => {
    const repeated = new RepeatedJsonMembers(["tools"]);
    const first = repeated.parse(body([]), parse) as Record<string, unknown>;
    const changed = Buffer.from(body([]).toString().replace("tool_7", "tool_8"));
    const second = repeated.parse(changed, parse) as Record<string, unknown>;
    expect(second.tools).not.toBe(first.tools);
    expect(second).toEqual(JSON.parse(changed.toString()));
  });

  it("fails a malformed body as the plain parse does, positions included, remembered members or not", () => {
    const repeated = new RepeatedJsonMembers(["tools"]);
    repeated.parse(body([]), parse);
    const broken = Buffer.from(body([]).toString().replace('"messages":[]', '"messages":[,]'));
    expect(() => repeated.parse(broken, parse)).toThrow(
      (() => {
        try {
          parse(broken);
        } catch (error) {
          return (error as Error).message;
        }
        return "no error";
      })(),
    );
  });

  it("equals JSON.parse on any sequence of bodies sharing big members", () => {
    const big = fc.array(fc.jsonValue(), { minLength: 1 }).map((items) => [...items, "x".repeat(5000)]);
    fc.assert(
      fc.property(
        fc.array(fc.record({ tools: fc.constantFrom(0, 1, 2), rest: fc.dictionary(fc.string(), fc.jsonValue()) }), {
          maxLength: 8,
        }),
        fc.array(big, { minLength: 3, maxLength: 3 }),
        (requests, toolLists) => {
          const repeated = new RepeatedJsonMembers(["tools"], 4096, 2);
          for (const { tools: which, rest } of requests) {
            const bytes = Buffer.from(JSON.stringify({ ...rest, tools: toolLists[which] }));
            expect(repeated.parse(bytes, parse)).toEqual(parse(bytes));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
