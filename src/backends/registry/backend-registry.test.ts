import { describe, expect, it } from "vitest";
import { BACKEND_KINDS, backendConfigSchema, createBackend } from "./backend-registry.js";

const minimal = (type: string) => ({ name: "b", type, url: "http://127.0.0.1:9" });
const settingsOf = (entry: (typeof BACKEND_KINDS)[number]) => Object.keys(entry.schema.shape);

describe("the backend registry", () => {
  it("lists each kind once", () => {
    const kinds = BACKEND_KINDS.map((entry) => entry.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it("builds every kind from its minimal config entry, as that kind", async () => {
    for (const { kind } of BACKEND_KINDS) {
      const backend = createBackend(backendConfigSchema.parse(minimal(kind)));
      expect(backend.kind).toBe(kind);
      await backend.close();
    }
  });

  it("rejects on each kind every setting that only other kinds take, naming the setting and the kind", () => {
    for (const entry of BACKEND_KINDS) {
      const own = new Set(settingsOf(entry));
      const foreign = new Set(BACKEND_KINDS.flatMap(settingsOf).filter((setting) => !own.has(setting)));
      for (const setting of foreign) {
        const parsed = backendConfigSchema.safeParse({ ...minimal(entry.kind), [setting]: 1 });
        expect(parsed.success, `${setting} on ${entry.kind}`).toBe(false);
        expect(parsed.error?.issues.map((issue) => issue.message)).toContainEqual(
          expect.stringMatching(new RegExp(`^${setting} is not a setting of an? ${entry.kind} backend`)),
        );
      }
    }
  });
});
