import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topLevelMembers } from "./json-members.js";

const slices = (text: string) => {
  const bytes = Buffer.from(text);
  const members = topLevelMembers(bytes);
  return (
    members &&
    Object.fromEntries([...members].map(([key, { start, end }]) => [key, bytes.subarray(start, end).toString()]))
  );
};

describe("topLevelMembers", () => {
  it("finds each member's value, through strings holding quotes, escapes, brackets and non-ASCII", () => {
    const text = ' { "a" : [1, {"b": "]}\\"\\\\"}] , "tools":{"x":"{[—"},"n":-1.5e3,"t":true, "s":"\\\\" } ';
    expect(slices(text)).toEqual({
      a: '[1, {"b": "]}\\"\\\\"}]',
      tools: '{"x":"{[—"}',
      n: "-1.5e3",
      t: "true",
      s: '"\\\\"',
    });
  });

  it("gives the exact text of every member of any JSON object, however it is spaced", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.boolean(), (object, spaced) => {
        const text = JSON.stringify(object, null, spaced ? 2 : undefined);
        const found = slices(text);
        expect(found && Object.keys(found)).toEqual(Object.keys(object));
        const parsed = JSON.parse(text) as Record<string, unknown>;
        for (const [key, slice] of Object.entries(found ?? {})) expect(JSON.parse(slice)).toEqual(parsed[key]);
      }),
      { numRuns: 2000 },
    );
  });

  it("gives up on what it cannot follow: not an object, unclosed, a key given twice", () => {
    for (const text of ["[1]", '"x"', '{"a":"b', '{"a":[1,2}', '{"a":1,"a":2}', '{"a" 1}', "{a:1}", ""])
      expect(slices(text), text).toBeUndefined();
  });
});
