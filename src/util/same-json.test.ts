import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sameJson } from "./same-json.js";

const stringified = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// A small alphabet of keys and values, so that random pairs are often equal or nearly so.
const small = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(0, -0, 1, Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, false, "", "a", "é"),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "c"), tie("value"), { maxKeys: 3 }),
  ),
})).value;

describe("sameJson", () => {
  it("agrees with comparing JSON.stringify outputs on random pairs", () => {
    fc.assert(
      fc.property(small, small, (a, b) => sameJson(a, b) === stringified(a, b)),
      { numRuns: 5000 },
    );
  });
  it("sees a deep copy as the same and any change as different", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(sameJson(value, structuredClone(value))).toBe(true);
        expect(sameJson({ v: value }, { v: [value] })).toBe(false);
      }),
    );
  });
  it("counts key order, skips keys JSON leaves out, writes null for empty array slots", () => {
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson([undefined], [null])).toBe(true);
    expect(sameJson([Number.NaN], [null])).toBe(true);
    expect(sameJson({ d: new Date(0) }, { d: "1970-01-01T00:00:00.000Z" })).toBe(true);
    expect(sameJson([1], { 0: 1 })).toBe(false);
  });
});
