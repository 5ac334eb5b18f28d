import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processRunning } from "../../test/support/process-alive.js";
import type { AgentSpec } from "./agents.js";
import { makeTestTask } from "./make-test-task.js";
import { networkIsolation } from "./network-isolation.js";
import { runSuite } from "./run-suite.js";
import { validateSuite } from "./validate.js";

const TASK_TOML = (test: string, extra = "") =>
  `instruction = "do nothing"\ntest = ${JSON.stringify(test)}\n${extra}\n`;

/** Runs one agent once on a one-task suite built from `files`; returns the record and the run folder. */
async function runTask(files: Record<string, string>, agent: AgentSpec = { kind: "null" }, agentTimeoutMs?: number) {
  const { suite } = makeTestTask("t", { "repo/README": "starter\n", ...files });
  const outDir = mkdtempSync(join(tmpdir(), "switchyard-eval-out-"));
  const { records, summary } = await runSuite(suite, {
    agent,
    route: "test",
    epochs: 1,
    parallel: 1,
    outDir,
    ...(agentTimeoutMs ? { agentTimeoutMs } : {}),
  });
  expect(records).toHaveLength(1);
  expect(summary.total).toBe(1);
  return { record: records[0]!, outDir };
}

describe("eval: timeouts", () => {
  it("a sleeping agent is killed with its children at 5 s: agent_timeout, score 0", async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), "switchyard-eval-pid-")), "child.pid");
    const { record } = await runTask(
      { "task.toml": TASK_TOML("exit 0") },
      { kind: "cmd", command: `sleep 300 & echo $! > ${pidFile}; sleep 300` },
      5000,
    );
    expect(record.status).toBe("agent_timeout");
    expect(record.score).toBe(0);
    expect(record.agentStep?.timedOut).toBe(true);
    const child = Number(readFileSync(pidFile, "utf8"));
    expect(child).toBeGreaterThan(0);
    expect(processRunning(child)).toBe(false);
  }, 30_000);

  it("a hanging scorer is infra_error, retried once, then reported", async () => {
    const { record, outDir } = await runTask({ "task.toml": TASK_TOML("sleep 300", 'scorer_timeout = "1s"') });
    expect(record.status).toBe("infra_error");
    expect(record.attempts).toBe(2);
    expect(record.score).toBe(0);
    expect(record.notes.join(" ")).toMatch(/attempt 1: scorer timed out/);
    for (const attempt of [1, 2])
      expect(existsSync(join(outDir, "runs", "t", `epoch-1-attempt-${attempt}`, "record.json"))).toBe(true);
  }, 30_000);
});

describe("eval: robustness, no run dropped", () => {
  it("invalid UTF-8 in the test output is decoded with replacement", async () => {
    const { record, outDir } = await runTask({ "task.toml": TASK_TOML("printf 'ok \\377\\376 \\300 done\\n'") });
    expect(record.status).toBe("scored");
    expect(record.passed).toBe(true);
    const log = readFileSync(join(outDir, "runs", "t", "epoch-1-attempt-1", "scorer.log"));
    expect(log.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
    expect(new TextDecoder().decode(log)).toContain("ok \uFFFD\uFFFD \uFFFD done");
  });

  it("a 50 MB log is counted, capped on disk, and the run kept", async () => {
    const { record, outDir } = await runTask({
      "task.toml": TASK_TOML("head -c 52428800 /dev/zero | tr '\\0' x; exit 0"),
    });
    expect(record.status).toBe("scored");
    expect(record.passed).toBe(true);
    expect(record.scorerStep?.logBytes).toBe(52_428_800);
    expect(statSync(join(outDir, "runs", "t", "epoch-1-attempt-1", "scorer.log")).size).toBe(8 * 1024 * 1024);
  }, 60_000);

  it("an agent deleting its own working directory is recorded as tamper", async () => {
    const { record } = await runTask({ "task.toml": TASK_TOML("exit 0") }, { kind: "cmd", command: 'rm -rf "$PWD"' });
    expect(record.status).toBe("tamper");
    expect(record.tamper).toEqual(["deleted the working directory"]);
  });

  it("a scorer deleting its own working directory still gives a record", async () => {
    const { record } = await runTask({ "task.toml": TASK_TOML('rm -rf "$PWD"; exit 1') });
    expect(record.status).toBe("scored");
    expect(record.passed).toBe(false);
  });
});

describe("eval: the scorer's world", () => {
  it("runs with TZ=UTC, LANG=C.UTF-8, PYTHONHASHSEED=0 and a home the agent never saw", async () => {
    const check = '[ "$TZ" = UTC ] && [ "$LANG" = C.UTF-8 ] && [ "$PYTHONHASHSEED" = 0 ] && [ ! -e "$HOME/planted" ]';
    const { record } = await runTask(
      { "task.toml": TASK_TOML(check) },
      { kind: "cmd", command: 'touch "$HOME/planted"' },
    );
    expect(record.passed).toBe(true);
  });

  it("has no network where the machine allows it (a server on 127.0.0.1 is out of reach)", async () => {
    const server = createServer((_, response) => response.end("ok")).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const probe = `node -e "fetch('http://127.0.0.1:${port}/').then(() => process.exit(0), () => process.exit(1))"`;
      const { record } = await runTask({ "task.toml": TASK_TOML(probe) });
      expect(record.network).toBe(networkIsolation().kind);
      // Where neither unshare nor bubblewrap works, the record says "none" and the server is reachable.
      expect(record.passed).toBe(networkIsolation().kind === "none");
    } finally {
      server.close();
    }
  });

  it("the agent starts in a fresh copy with one commit and no hidden tests", async () => {
    const seen = join(mkdtempSync(join(tmpdir(), "switchyard-eval-seen-")), "seen.txt");
    await runTask(
      { "task.toml": TASK_TOML("exit 0"), "tests/hidden.test": "secret\n" },
      { kind: "cmd", command: `echo "$(git rev-list --all | wc -l) $(ls tests 2>/dev/null | wc -l)" > ${seen}` },
    );
    expect(readFileSync(seen, "utf8").trim()).toBe("1 0");
  });
});

describe("eval: validate", () => {
  it("excludes a task that fails 1 run in 3 by design, with the reason", async () => {
    const counter = join(mkdtempSync(join(tmpdir(), "switchyard-eval-flaky-")), "count");
    writeFileSync(counter, "0");
    // Every third scorer run fails: the starter fails by `grep` for the solution's file, the reference
    // passes twice in three. The counter lives outside the working copy, so it survives the runs.
    const test = `n=$(($(cat ${counter}) + 1)); echo $n > ${counter}; [ -f solved ] && [ $((n % 3)) -ne 0 ]`;
    const { suite } = makeTestTask("flaky", {
      "task.toml": TASK_TOML(test),
      "repo/README": "starter\n",
      "solution.patch":
        "diff --git a/solved b/solved\nnew file mode 100644\n--- /dev/null\n+++ b/solved\n@@ -0,0 +1 @@\n+yes\n",
    });
    const result = await validateSuite(suite, { reps: 3, parallel: 1 });
    expect(result.admitted).toEqual([]);
    expect(result.excluded).toEqual([{ task: "flaky", reason: "flaky or broken: the reference passed 2/3" }]);
    // run honours the exclusion: listed with the reason, never scored.
    const { summary } = await runSuite(suite, {
      agent: { kind: "oracle" },
      route: "test",
      epochs: 1,
      parallel: 1,
      outDir: mkdtempSync(join(tmpdir(), "switchyard-eval-out-")),
    });
    expect(summary.total).toBe(0);
    expect(summary.excluded).toEqual([
      { task: "flaky", reason: "validate: flaky or broken: the reference passed 2/3" },
    ]);
  }, 60_000);
});
