import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { capabilityTable } from "../../src/backends/registry/capability-table.js";

describe("the README's backend table", () => {
  it("is the table rendered from the capability flags the conformance suite checks", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const table = /<!-- capability-table:start[^>]*-->\n([\s\S]*?)\n<!-- capability-table:end -->/.exec(readme)?.[1];
    expect(table, "README.md has no capability-table markers").toBeDefined();
    expect(table).toBe(capabilityTable());
  });
});
