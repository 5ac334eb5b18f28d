import { describe, expect, it } from "vitest";
import { readNdjsonLines } from "./ndjson-lines.js";

async function lines(chunks: Array<Uint8Array | string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readNdjsonLines(chunks)) out.push(line);
  return out;
}

describe("readNdjsonLines", () => {
  it("splits lines across any chunk boundary, including inside a UTF-8 character", async () => {
    const bytes = new TextEncoder().encode('{"a":"é"}\r\n\n{"b":2}\n{"c":3}');
    const split = [bytes.subarray(0, 7), bytes.subarray(7, 13), bytes.subarray(13)];
    expect(await lines(split)).toEqual(['{"a":"é"}', '{"b":2}', '{"c":3}']);
  });

  it("yields nothing for an empty body", async () => {
    expect(await lines([])).toEqual([]);
    expect(await lines(["\n\n"])).toEqual([]);
  });
});
