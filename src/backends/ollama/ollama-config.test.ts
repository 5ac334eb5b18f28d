import { describe, expect, it } from "vitest";
import { configSchema } from "../../config/config-schema.js";
import { createBackend } from "../registry/backend-registry.js";

const parse = (backend: Record<string, unknown>) =>
  configSchema.safeParse({ backends: [{ name: "ollama", type: "ollama", url: "http://127.0.0.1:11434", ...backend }] });

describe("an Ollama backend in the config", () => {
  it("takes numCtx and keepAlive as a Go duration, seconds, or negative to stay loaded", () => {
    for (const keepAlive of ["60m", "1h30m", "90s", "-1", 300, -1]) expect(parse({ keepAlive }).success).toBe(true);
    const parsed = parse({ numCtx: 65536, keepAlive: "2h" });
    if (!parsed.success) throw parsed.error;
    const backend = createBackend(parsed.data.backends[0] as (typeof parsed.data.backends)[number]);
    expect([backend.kind, backend.local, backend.baseUrl]).toEqual(["ollama", true, "http://127.0.0.1:11434"]);
  });

  it("names the field when a value is wrong", () => {
    for (const wrong of [{ keepAlive: "an hour" }, { numCtx: 12.5 }, { numCtx: 0 }]) {
      const parsed = parse(wrong);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path.at(-1)).toBe(Object.keys(wrong)[0]);
    }
  });
});
