import { describe, expect, it } from "vitest";
import { refusesTypeUnions, type ToolRenderProbe } from "./probe-type-unions.js";

/** A server whose template renders a tool list only when `accepts` says so. */
const server =
  (accepts: (type: unknown) => boolean): ToolRenderProbe =>
  async (_messages, tools) => {
    const type = (tools[0] as { function: { parameters: { properties: { limit: { type: unknown } } } } }).function
      .parameters.properties.limit.type;
    return accepts(type) ? `prompt with ${JSON.stringify(type)}` : undefined;
  };

describe("refusesTypeUnions", () => {
  it("is true where the template raises on a union and renders the single type (GigaChat 3)", async () => {
    expect(await refusesTypeUnions(server((type) => typeof type === "string"))).toBe(true);
  });

  it("is false where the template renders the union", async () => {
    expect(await refusesTypeUnions(server(() => true))).toBe(false);
  });

  it("is false where the template refuses tools whatever their types (reducing mends nothing)", async () => {
    expect(await refusesTypeUnions(server(() => false))).toBe(false);
  });
});
