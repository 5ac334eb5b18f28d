import { describe, expect, it } from "vitest";
import { singleSchemaTypes } from "./single-schema-types.js";

describe("singleSchemaTypes", () => {
  it("reduces each type union to its first type other than null, at any depth, and keeps the rest", () => {
    // Goose 1.37's `shell` and `extensionmanager__list_resources` schemas, as its Anthropic provider sends them.
    const tools = [
      {
        type: "function",
        function: {
          name: "shell",
          parameters: {
            type: "object",
            properties: {
              command: { type: "string" },
              timeout_secs: { type: ["integer", "null"], format: "uint64", minimum: 0, default: null },
              names: { type: "array", items: { type: ["null", "string"] } },
              only_null: { type: ["null"] },
            },
            required: ["command"],
          },
        },
      },
    ];
    const single = singleSchemaTypes(tools);
    const properties = single[0]?.function.parameters.properties;
    expect(properties?.timeout_secs).toEqual({ type: "integer", format: "uint64", minimum: 0, default: null });
    expect(properties?.names).toEqual({ type: "array", items: { type: "string" } });
    expect(properties?.only_null).toEqual({ type: "null" });
    expect(properties?.command).toBe(tools[0]?.function.parameters.properties.command);
    expect(single[0]?.function.parameters.required).toEqual(["command"]);
  });

  it("gives back the same object when there is no union, and leaves a property named type alone", () => {
    const tools = [{ function: { parameters: { properties: { type: { type: "string", enum: ["a", "b"] } } } } }];
    expect(singleSchemaTypes(tools)).toBe(tools);
  });
});
