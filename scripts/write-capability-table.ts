/**
 * `npx tsx scripts/write-capability-table.ts`: rewrites the README's backend capability table (between
 * the `capability-table` markers) from the registry, after a kind is added or its flags change.
 * test/conformance/readme-table.test.ts fails until the README holds the registry's table.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { capabilityTable } from "../src/backends/registry/capability-table.js";

const path = join(import.meta.dirname, "..", "README.md");
const readme = readFileSync(path, "utf8");
const markers = /(<!-- capability-table:start[^>]*-->\n)[\s\S]*?(\n<!-- capability-table:end -->)/;
if (!markers.test(readme)) throw new Error("README.md has no capability-table markers");
writeFileSync(
  path,
  readme.replace(markers, (_, start: string, end: string) => `${start}${capabilityTable()}${end}`),
);
console.log("README.md: capability table written from src/backends/registry/");
