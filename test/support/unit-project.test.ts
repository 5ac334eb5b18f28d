import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The unit project runs its files in one module graph per worker (`isolate: false` in vitest.config.ts),
 * which is only sound while no unit test changes what the next file in the same worker would see.
 */
const SHARED_STATE_WRITES: Array<[RegExp, string]> = [
  [/\bvi\.(do)?mock\(/, "mocks a module"],
  [/\bvi\.stub(Global|Env)\(|\bglobalThis\.\w+\s*=(?!=)/, "replaces a global or stubs the environment"],
  [
    /\bprocess\.env\.\w+\s*=(?!=)|\bprocess\.env\[[^\]]+\]\s*=(?!=)|\bdelete process\.env\b|Object\.assign\(process\.env\b/,
    "writes the environment",
  ],
  [/\bprocess\.chdir\(/, "changes the working directory"],
];

/** What a unit test file's `source` would leave behind for the next file in its worker, one line per kind. */
function sharedStateWrites(path: string, source: string): string[] {
  return SHARED_STATE_WRITES.filter(([pattern]) => pattern.test(source)).map(
    ([, what]) =>
      `${path} ${what}: unit files share their modules and process (isolate: false), so it belongs in the integration project`,
  );
}

describe("the unit project", () => {
  it("has no test that leaves state for the next file in its worker", () => {
    const files = ["src", "scripts", "test/support"]
      .flatMap((root) => readdirSync(root, { recursive: true, encoding: "utf8" }).map((path) => join(root, path)))
      .filter((path) => path.endsWith(".test.ts") && !path.endsWith(".engine.test.ts"))
      .filter((path) => path !== "test/support/unit-project.test.ts");
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((path) => sharedStateWrites(path, readFileSync(path, "utf8")))).toEqual([]);
  });

  it("names each kind of write", () => {
    expect(sharedStateWrites("a.test.ts", 'vi.mock("node:fs");\nprocess.env.HOME = "/x";')).toEqual([
      "a.test.ts mocks a module: unit files share their modules and process (isolate: false), so it belongs in the integration project",
      "a.test.ts writes the environment: unit files share their modules and process (isolate: false), so it belongs in the integration project",
    ]);
    expect(sharedStateWrites("b.test.ts", 'if (process.env.CI === "true") process.chdir("/");')).toEqual([
      "b.test.ts changes the working directory: unit files share their modules and process (isolate: false), so it belongs in the integration project",
    ]);
    expect(sharedStateWrites("c.test.ts", "globalThis.fetch = fake;\nObject.assign(process.env, { A: '1' });")).toEqual(
      [
        "c.test.ts replaces a global or stubs the environment: unit files share their modules and process (isolate: false), so it belongs in the integration project",
        "c.test.ts writes the environment: unit files share their modules and process (isolate: false), so it belongs in the integration project",
      ],
    );
  });
});
