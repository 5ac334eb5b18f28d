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
    const repeated = new RepeatedJsonMembers({ members: ["tools", "system"], elementsOf: [] });
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
    const repeated = new RepeatedJsonMembers({ members: ["tools"], elementsOf: [] });
    const first = repeated.parse(body([]), parse) as Record<string, unknown>;
    const changed = Buffer.from(body([]).toString().replace("tool_7", "tool_8"));
    const second = repeated.parse(changed, parse) as Record<string, unknown>;
    expect(second.tools).not.toBe(first.tools);
    expect(second).toEqual(JSON.parse(changed.toString()));
  });

  it("fails a malformed body as the plain parse does, positions included, remembered members or not", () => {
    const repeated = new RepeatedJsonMembers({ members: ["tools"], elementsOf: [] });
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

  it("gives each earlier message of a growing conversation as the object it was, and the new one fresh", () => {
    const repeated = new RepeatedJsonMembers({ members: ["tools"], elementsOf: ["messages"], minElementBytes: 16 });
    const turn = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ role: "user", content: `message ${index} — é` }));
    const first = repeated.parse(body(turn(3)), parse) as { messages: unknown[] };
    const second = repeated.parse(body(turn(4)), parse) as { messages: unknown[] };
    expect(second).toEqual(parse(body(turn(4))));
    expect(second.messages.slice(0, 3)).toEqual(first.messages);
    for (let index = 0; index < 3; index++) expect(second.messages[index]).toBe(first.messages[index]);
    expect(Object.isFrozen(second.messages[3])).toBe(true);
    expect(Object.isFrozen(second.messages)).toBe(false);
  });

  it("continues a conversation's list: earlier messages of any size come back as they were, interleaved with another", () => {
    const repeated = new RepeatedJsonMembers({ members: [], elementsOf: ["messages"] });
    const conversation = (who: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({
        role: index % 2 ? "assistant" : "user",
        content: `${who}${index}`,
      }));
    const a1 = repeated.parse(body(conversation("a", 3)), parse) as { messages: unknown[] };
    const b1 = repeated.parse(body(conversation("b", 2)), parse) as { messages: unknown[] };
    const a2 = repeated.parse(body(conversation("a", 5)), parse) as { messages: unknown[] };
    const b2 = repeated.parse(body(conversation("b", 3)), parse) as { messages: unknown[] };
    expect(a2).toEqual(parse(body(conversation("a", 5))));
    expect(b2).toEqual(parse(body(conversation("b", 3))));
    // Far below the size worth a digest, and still not parsed again.
    for (let index = 0; index < 3; index++) expect(a2.messages[index]).toBe(a1.messages[index]);
    for (let index = 0; index < 2; index++) expect(b2.messages[index]).toBe(b1.messages[index]);
    // A message edited in the middle is parsed again; those around it still come back.
    const edited = conversation("a", 6);
    edited[2] = { role: "user", content: "a2, edited" };
    const a3 = repeated.parse(body(edited), parse) as { messages: unknown[] };
    expect(a3).toEqual(parse(body(edited)));
    expect(a3.messages[1]).toBe(a1.messages[1]);
    expect(a3.messages[2]).not.toBe(a1.messages[2]);
    expect(a3.messages[3]).toBe(a2.messages[3]);
  });

  it("fails or parses a changed continuation exactly as JSON.parse does", () => {
    const messages = Array.from({ length: 6 }, (_, index) => ({ role: "user", content: `m${index} "q" \\ [{` }));
    const text = body(messages).toString();
    fc.assert(
      fc.property(
        fc.nat(text.length - 1),
        fc.nat(text.length),
        fc.constantFrom("", ",", "]", "}", "[", "{", '"', "\\", " ", "0", ":", ',"x"'),
        (from, length, insert) => {
          const repeated = new RepeatedJsonMembers({ members: ["tools"], elementsOf: ["messages"] });
          repeated.parse(body(messages.slice(0, 4)), parse);
          const changed = Buffer.from(text.slice(0, from) + insert + text.slice(Math.min(text.length, from + length)));
          let expected: unknown;
          try {
            expected = parse(changed);
          } catch (error) {
            expect(() => repeated.parse(changed, parse)).toThrow((error as Error).message);
            return;
          }
          expect(repeated.parse(changed, parse)).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("forgets what was used longest ago beyond its capacity, and still parses right", () => {
    const repeated = new RepeatedJsonMembers({
      members: [],
      elementsOf: ["messages"],
      minElementBytes: 16,
      capacityBytes: 200,
    });
    const message = (index: number) => ({
      role: "user",
      content: `a message long enough to remember, number ${index}`,
    });
    const first = repeated.parse(body([message(1), message(2), message(3)]), parse) as { messages: unknown[] };
    const again = repeated.parse(body([message(1), message(2), message(3)]), parse) as { messages: unknown[] };
    // Three messages of ~70 bytes do not fit 200 bytes: the first was forgotten, the others came back.
    expect(again.messages[0]).not.toBe(first.messages[0]);
    expect(again.messages[2]).toBe(first.messages[2]);
    expect(again).toEqual(parse(body([message(1), message(2), message(3)])));
  });

  it("finds each of many messages of one length by its own bytes", () => {
    const repeated = new RepeatedJsonMembers({ members: [], elementsOf: ["messages"], minElementBytes: 16 });
    const messages = Array.from({ length: 5000 }, (_, index) => ({
      role: "user",
      content: `m${String(index).padStart(6, "0")}`,
    }));
    const first = repeated.parse(body(messages), parse) as { messages: unknown[] };
    const again = repeated.parse(body([...messages].reverse()), parse) as { messages: unknown[] };
    expect(again.messages).toEqual([...messages].reverse());
    for (let index = 0; index < messages.length; index++)
      expect(again.messages[index]).toBe(first.messages.at(-1 - index));
  });

  it("holds a few versions of a member: a client whose tools change every request leaves only its latest", () => {
    const repeated = new RepeatedJsonMembers({ members: ["tools"], elementsOf: [] });
    const version = (n: number) => Buffer.from(JSON.stringify({ tools: [`${n}`, "x".repeat(5000)] }));
    const seen = Array.from({ length: 9 }, (_, n) => (repeated.parse(version(n), parse) as { tools: unknown }).tools);
    expect((repeated.parse(version(8), parse) as { tools: unknown }).tools).toBe(seen[8]);
    expect((repeated.parse(version(1), parse) as { tools: unknown }).tools).toBe(seen[1]);
    expect((repeated.parse(version(0), parse) as { tools: unknown }).tools).not.toBe(seen[0]);
  });

  it("equals JSON.parse on any sequence of bodies sharing members and messages", () => {
    const big = fc.array(fc.jsonValue(), { minLength: 1 }).map((items) => [...items, "x".repeat(5000)]);
    const element = fc.oneof(fc.jsonValue(), fc.record({ role: fc.string(), content: fc.jsonValue() }));
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            tools: fc.constantFrom(0, 1, 2),
            messages: fc.array(fc.nat(5), { maxLength: 6 }),
            rest: fc.dictionary(fc.string(), fc.jsonValue()),
            spaced: fc.boolean(),
          }),
          { maxLength: 8 },
        ),
        fc.array(big, { minLength: 3, maxLength: 3 }),
        fc.array(element, { minLength: 6, maxLength: 6 }),
        (requests, toolLists, pool) => {
          const repeated = new RepeatedJsonMembers({
            members: ["tools"],
            elementsOf: ["messages"],
            minElementBytes: 8,
            capacityBytes: 12_000,
          });
          for (const { tools: which, messages, rest, spaced } of requests) {
            const document = { ...rest, tools: toolLists[which], messages: messages.map((index) => pool[index]) };
            const bytes = Buffer.from(JSON.stringify(document, null, spaced ? 1 : undefined));
            expect(repeated.parse(bytes, parse)).toEqual(parse(bytes));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
