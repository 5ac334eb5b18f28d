import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");

/** One step of docs/ARCHITECTURE.md's "Add a backend": a file to write, an edit, or a command. */
type Step =
  | { kind: "file"; path: string; text: string }
  | { kind: "edit"; path: string; lines: string[] }
  | { kind: "command"; command: string };

/**
 * The fenced blocks of the section, in order. A `ts` block whose first line is `// file: PATH` is a new
 * file; a `diff` block whose first line is `// edit: PATH` inserts its `+` lines after the context lines
 * before them (` ` lines, matched in order, trimmed); an `sh` block is a command run at the checkout's root.
 */
function readSteps(markdown: string): Step[] {
  const section = /^## Add a backend\n([\s\S]*?)(?=^## )/m.exec(`${markdown}\n## end`)?.[1];
  if (!section) throw new Error('docs/ARCHITECTURE.md has no "## Add a backend" section');
  const steps: Step[] = [];
  for (const [, language, body] of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    const lines = (body as string).replace(/\n$/, "").split("\n");
    const head = lines[0] ?? "";
    if (language === "ts" && head.startsWith("// file: "))
      steps.push({ kind: "file", path: head.slice(9).trim(), text: `${lines.slice(1).join("\n")}\n` });
    else if (language === "diff" && head.startsWith("// edit: "))
      steps.push({ kind: "edit", path: head.slice(9).trim(), lines: lines.slice(1) });
    else if (language === "sh")
      for (const command of lines) if (command.trim()) steps.push({ kind: "command", command });
  }
  return steps;
}

/** Applies an edit step: context lines move the cursor forward, `+` lines are inserted at it. */
function applyEdit(text: string, lines: readonly string[], path: string): string {
  const out = text.split("\n");
  let cursor = -1;
  for (const line of lines) {
    if (line.startsWith("+")) {
      out.splice(++cursor, 0, line.slice(1));
    } else if (line.trim() !== "" && line.trim() !== "...") {
      const wanted = line.slice(1).trim();
      const found = out.findIndex((candidate, index) => index > cursor && candidate.trim() === wanted);
      if (found < 0) throw new Error(`${path}: no line "${wanted}" after line ${cursor + 1}`);
      cursor = found;
    }
  }
  return out.join("\n");
}

describe("docs/ARCHITECTURE.md's steps to add a backend, followed on a copy of the checkout", () => {
  const copy = mkdtempSync(join(tmpdir(), "switchyard-add-a-backend-"));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("give a kind the config, the factory, both doors, the README table and its own test take", async () => {
    for (const entry of [
      "src",
      "test",
      "scripts",
      "bench",
      "README.md",
      "package.json",
      "tsconfig.json",
      "vitest.config.ts",
      "biome.json",
      ".gitignore",
    ])
      cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    const steps = readSteps(readFileSync(join(ROOT, "docs", "ARCHITECTURE.md"), "utf8"));
    expect(steps.map((step) => step.kind)).toContain("file");
    for (const step of steps) {
      if (step.kind === "file") {
        const target = join(copy, step.path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, step.text);
      } else if (step.kind === "edit") {
        const target = join(copy, step.path);
        writeFileSync(target, applyEdit(readFileSync(target, "utf8"), step.lines, step.path));
      } else {
        await run("bash", ["-c", step.command], {
          cwd: copy,
          timeout: 600_000,
          env: { ...process.env, CI: "true" },
        }).catch((error: { stdout?: string; stderr?: string }) => {
          throw new Error(`${step.command} failed:\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
        });
      }
    }
  });
});
