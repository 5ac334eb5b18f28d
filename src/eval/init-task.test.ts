import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { initTask } from "./init-task.js";
import { loadTask } from "./task-config.js";

describe("eval init", () => {
  it("makes repo/ from a commit's tree, moves the tests glob to tests/, and writes a task.toml that loads", () => {
    const source = mkdtempSync(join(tmpdir(), "switchyard-eval-init-src-"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: source, encoding: "utf8" });
    git("init", "-q");
    mkdirSync(join(source, "spec"));
    writeFileSync(join(source, "lib.js"), "export const one = 1;\n");
    writeFileSync(join(source, "spec", "lib.test.js"), "// hidden\n");
    git("add", "-A");
    git("commit", "-qm", "first");
    writeFileSync(join(source, "later.js"), "// not in the first commit\n");
    git("add", "-A");
    git("commit", "-qm", "second");
    const first = git("rev-list", "--max-parents=0", "HEAD").trim();
    const instruction = join(source, "..", `instruction-${Date.now()}.md`);
    writeFileSync(instruction, "Make it two.\n");

    const task = join(mkdtempSync(join(tmpdir(), "switchyard-eval-init-")), "my-task");
    const { hidden } = initTask(task, { fromGit: source, commit: first, tests: "spec/**", instruction });
    expect(hidden).toEqual(["spec/lib.test.js"]);
    expect(readFileSync(join(task, "repo", "lib.js"), "utf8")).toBe("export const one = 1;\n");
    expect(existsSync(join(task, "repo", "spec", "lib.test.js"))).toBe(false);
    expect(existsSync(join(task, "repo", "later.js"))).toBe(false);
    expect(existsSync(join(task, "repo", ".git"))).toBe(false);
    expect(readFileSync(join(task, "tests", "spec", "lib.test.js"), "utf8")).toBe("// hidden\n");
    const loaded = loadTask(task);
    expect(loaded.instruction).toBe("Make it two.");
    expect(loaded.hiddenTestPaths).toEqual(["spec/lib.test.js"]);
    expect(loaded.protectedGlobs).toContain("spec/lib.test.js");
    expect(() => initTask(task, { fromGit: source, commit: first, tests: "spec/**" })).toThrow(/already holds/);
  });
});
