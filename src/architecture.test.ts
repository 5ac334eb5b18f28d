import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layers of src/, lowest first. A module imports only from its own folder and from folders listed
 * before its own, so the request path only goes down: nothing below the gateway reaches up into it, the
 * CLI or the dashboard. A new folder must be placed here before it can import or be imported.
 */
const LAYERS = [
  "util",
  "core",
  "security",
  "families",
  "tokenize",
  "gguf",
  "protocols",
  "sessions",
  "backends",
  "cost",
  "routing",
  "telemetry",
  "store",
  "config",
  "engine",
  "test-model",
  "pull",
  "fit",
  "doctor",
  "bench",
  "dashboard",
  "gateway",
  "clients",
  "eval",
  "cli",
] as const;

const SRC = import.meta.dirname;

/** Every relative import of a module: `import … from`, `export … from` and `import(…)`, type-only ones too. */
function importsOf(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;
  return [...source.matchAll(pattern)].map((match) => match[1] as string);
}

/** Where an import reaches across layers the wrong way, as `file → imported (folder)` lines. */
function layerViolations(files: ReadonlyMap<string, string>, layers: readonly string[] = LAYERS): string[] {
  const rank = (folder: string) => layers.indexOf(folder);
  const violations: string[] = [];
  for (const [file, source] of files) {
    const folder = file.split("/")[0] as string;
    for (const specifier of importsOf(source)) {
      const target = relative(SRC, resolve(SRC, dirname(file), specifier));
      const targetFolder = target.split("/")[0] as string;
      if (target.startsWith("..") || targetFolder === folder || !target.includes("/")) continue;
      if (rank(folder) < 0 || rank(targetFolder) < 0 || rank(targetFolder) > rank(folder))
        violations.push(`src/${file} → src/${target} (${folder} may not import ${targetFolder})`);
    }
  }
  return violations;
}

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
        files.set(relative(SRC, path), readFileSync(path, "utf8"));
    }
  };
  walk(SRC);
  return files;
}

describe("architecture: the layers of src/", () => {
  it("every module imports only from its own folder and the layers below it", () => {
    expect(layerViolations(sourceFiles())).toEqual([]);
  });

  it("every folder of src/ has its place in the layers", () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.map((entry) => entry.name).filter((name) => !(LAYERS as readonly string[]).includes(name))).toEqual(
      [],
    );
  });

  it("sees a lower layer importing from the gateway, the CLI or the dashboard", () => {
    const files = new Map([
      ["routing/plan.ts", 'import type { RouteContext } from "../gateway/serve-generation.js";'],
      ["backends/x/y.ts", 'export { run } from "../../cli/main.js";'],
      ["sessions/z.ts", 'const view = await import("../dashboard/dashboard-views.js");'],
      ["gateway/ok.ts", 'import { plan } from "../routing/plan.js";'],
    ]);
    expect(layerViolations(files)).toEqual([
      "src/routing/plan.ts → src/gateway/serve-generation.js (routing may not import gateway)",
      "src/backends/x/y.ts → src/cli/main.js (backends may not import cli)",
      "src/sessions/z.ts → src/dashboard/dashboard-views.js (sessions may not import dashboard)",
    ]);
  });
});
