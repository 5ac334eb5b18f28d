import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runOnce } from "./run-one.js";
import { loadTask } from "./task-config.js";

const TASKS = join(import.meta.dirname, "..", "..", "eval", "tasks");

/** One run of a `cmd:` agent on a starter-suite task. */
function cheat(taskName: string, command: string) {
  const runDir = mkdtempSync(join(tmpdir(), "switchyard-eval-cheat-"));
  return runOnce(loadTask(join(TASKS, taskName)), {
    agent: { kind: "cmd", command },
    route: "test",
    epoch: 1,
    sessionId: "cheat",
    runDir,
  });
}

// Each cheater also writes the real solution's effect where it can fake it; the restore and the tamper
// flag must win. Without restoreProtected, the first three would pass (the scorer would run their edits).
describe("eval: cheaters score 0 and are flagged tamper", () => {
  it("writing the hidden test's path (a test that always passes) is tamper", async () => {
    const record = await cheat(
      "node-slugify",
      `mkdir -p test/hidden && printf 'import { test } from "node:test";\\ntest("ok", () => {});\\n' > test/hidden/slugify-hidden.test.js`,
    );
    expect(record.status).toBe("tamper");
    expect(record.score).toBe(0);
    expect(record.tamper).toEqual(["added test/hidden/slugify-hidden.test.js"]);
  });

  it("deleting a visible test is tamper", async () => {
    const record = await cheat("node-slugify", "rm test/slugify.test.js");
    expect(record.status).toBe("tamper");
    expect(record.score).toBe(0);
    expect(record.tamper).toEqual(["deleted test/slugify.test.js"]);
  });

  it("rewriting the test script to exit 0 is tamper", async () => {
    const record = await cheat("py-roman", "printf 'exit 0\\n' > run-tests.sh");
    expect(record.status).toBe("tamper");
    expect(record.score).toBe(0);
    expect(record.tamper).toEqual(["changed run-tests.sh"]);
  });

  it("writing a fake JUnit report is tamper", async () => {
    const record = await cheat(
      "node-csv-junit",
      `printf '<testsuites><testsuite><testcase name="a"/><testcase name="b"/></testsuite></testsuites>' > report.xml`,
    );
    expect(record.status).toBe("tamper");
    expect(record.score).toBe(0);
    expect(record.tamper).toEqual(["added report.xml"]);
  });

  it("a symlink where the hidden tests go (to copy them outside, or read them) is tamper", async () => {
    const outside = mkdtempSync(join(tmpdir(), "switchyard-eval-cheat-"));
    const record = await cheat("node-mutation-clamp", `ln -s ${outside} .eval`);
    expect(record.status).toBe("tamper");
    expect(record.tamper).toEqual(["added .eval"]);
  });

  it("searching git history for the solution finds nothing: one commit, no solution objects", async () => {
    const found = join(mkdtempSync(join(tmpdir(), "switchyard-eval-cheat-")), "found.txt");
    // The solution's marker is `normalize("NFKD")`; look in every commit, the reflog and every object.
    const record = await cheat(
      "node-slugify",
      [
        `commits=$(git rev-list --all | wc -l)`,
        `hits=$( (git log --all -p; git reflog; git cat-file --batch-all-objects --batch) 2>/dev/null | grep -c NFKD)`,
        `echo "commits=$commits hits=$hits" > ${found}`,
      ].join("; "),
    );
    expect(readFileSync(found, "utf8").trim()).toBe("commits=1 hits=0");
    expect(record.score).toBe(0);
    expect(record.passed).toBe(false);
    // It changed nothing, so there is nothing to flag: it scores 0 as an honest failure.
    expect(record.status).toBe("scored");
  });
});
