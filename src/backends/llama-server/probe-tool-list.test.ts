import { describe, expect, it } from "vitest";
import { writesToolList } from "./probe-tool-list.js";

describe("writesToolList", () => {
  it("is true when the prompt names the probe's tool, false when the template left the list out", async () => {
    const names = async (_messages: unknown[], tools: unknown[]) => JSON.stringify(tools);
    expect(await writesToolList(names)).toBe(true);
    expect(await writesToolList(async () => "<｜User｜>Switchyard probe.")).toBe(false);
  });

  it("adds nothing when the probe cannot be rendered", async () => {
    expect(await writesToolList(async () => undefined)).toBe(true);
    expect(await writesToolList(async () => Promise.reject(new Error("raises")))).toBe(true);
  });
});
