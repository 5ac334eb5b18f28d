import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finished, runCli, startCli } from "./cli.js";
import { claudeSandbox } from "./support/claude-code.js";
import { codexBinary, codexSandbox } from "./support/codex.js";
import { startTestGateway } from "./support/test-gateway.js";

describe("switchyard env and switchyard code", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("env prints exports, and no compaction window under the 100K Claude Code takes, saying why", async () => {
    const result = await runCli(["env", "--url", gateway.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`export ANTHROPIC_BASE_URL='${gateway.url}'`);
    expect(result.stdout).not.toContain("CLAUDE_CODE_AUTO_COMPACT_WINDOW");
    expect(result.stderr).toContain(
      "# the backend's context (65,536 tokens) is under 100K, the least Claude Code compacts at",
    );
    expect(result.stdout).toContain("export CLAUDE_CODE_ATTRIBUTION_HEADER='0'");
  });

  it("env --client goose prints Goose's exports with the backend's context, and refuses another client", async () => {
    const result = await runCli(["env", "--url", gateway.url, "--client", "goose"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "export GOOSE_PROVIDER='anthropic'",
      "export GOOSE_MODEL='claude-sonnet-4-5'",
      `export ANTHROPIC_HOST='${gateway.url}'`,
      "export ANTHROPIC_API_KEY='switchyard'",
      "export GOOSE_CONTEXT_LIMIT='65536'",
      "",
    ]);
    const other = await runCli(["env", "--url", gateway.url, "--client", "crush"]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain("Allowed choices are claude, goose, codex");
  });

  it("code starts the real Claude Code wired to the running Switchyard", async () => {
    const sandbox = claudeSandbox();
    mkdirSync(sandbox.home, { recursive: true });
    const before = gateway.recorder.recent().length;
    const result = await runCli(["code", "--url", gateway.url, "--", "-p", "say hi"], { HOME: sandbox.home });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().length).toBeGreaterThan(0);
    // Claude Code says nothing about the environment Switchyard gave it (2.1.332 warns at a window under 100K).
    expect(result.stderr).not.toMatch(/treats it as the .* minimum/);
    const turns = gateway.recorder.recent().slice(before);
    expect(turns.some((turn) => turn.endpoint === "messages" && turn.status === 200)).toBe(true);
  });

  it("codex starts the real Codex on Switchyard's Responses door, leaving the user's config.toml as it was", async () => {
    const root = codexSandbox();
    // A user's own config, with another provider as the default: the launch overrides it for this run only.
    const userConfig = 'model_provider = "openai"\nmodel_reasoning_effort = "none"\n';
    writeFileSync(join(root, "home", "config.toml"), userConfig);
    const before = gateway.recorder.recent().length;
    const result = await runCli(
      ["codex", "--url", gateway.url, "--", "exec", "--skip-git-repo-check", "--sandbox", "read-only", "say hi"],
      {
        PATH: `${dirname(await codexBinary())}:${process.env.PATH}`,
        HOME: join(root, "home"),
        CODEX_HOME: join(root, "home"),
        TERM: "dumb",
        NO_COLOR: "1",
      },
    );
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    // The test model's scripted reply, as Codex printed it.
    expect(result.stdout).toContain("Hello! This is the Switchyard test net");
    const turns = gateway.recorder.recent().slice(before);
    expect(turns.map((turn) => [turn.endpoint, turn.status, turn.client])).toEqual([
      ["responses", 200, "Codex 0.171.0"],
    ]);
    expect(readFileSync(join(root, "home", "config.toml"), "utf8")).toBe(userConfig);
  }, 300_000);

  describe("with a Switchyard of its own (none at --url)", () => {
    /** The launcher's children by name (the engine and the agent), from /proc. */
    const children = (pid: number) =>
      new Map(
        readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
          .split(" ")
          .filter(Boolean)
          .flatMap((child) => {
            try {
              return [[readFileSync(`/proc/${child}/comm`, "utf8").trim(), Number(child)] as const];
            } catch {
              return []; // gone meanwhile
            }
          }),
      );
    /** Whether a process runs (a zombie no one reaps, as a container's PID 1 may leave it, does not). */
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    /**
     * `switchyard codex` at a URL where nothing listens, so it starts its own gateway and engine, with Codex
     * reading its prompt from stdin (`exec -`): it waits there until the test writes it. Resolves once
     * Codex runs, with the launcher, its engine's PID and how it ends.
     */
    async function launch() {
      const root = codexSandbox();
      const nothing = createServer();
      await new Promise<void>((resolve) => nothing.listen(0, "127.0.0.1", resolve));
      const port = (nothing.address() as AddressInfo).port;
      await new Promise((resolve) => nothing.close(resolve));
      const launcher = startCli(
        [
          "codex",
          "--url",
          `http://127.0.0.1:${port}`,
          "--",
          "exec",
          "--skip-git-repo-check",
          "--sandbox",
          "read-only",
          "-",
        ],
        // HOME stays: the launcher's engine and test model come from the user's cache, as they would.
        {
          PATH: `${dirname(await codexBinary())}:${process.env.PATH}`,
          CODEX_HOME: join(root, "home"),
          TERM: "dumb",
          NO_COLOR: "1",
        },
        { stdin: "pipe" },
      );
      const ended = finished(launcher);
      const pid = launcher.pid as number;
      while (!children(pid).has("codex")) {
        if (launcher.exitCode !== null) throw new Error(`the launcher ended early: ${(await ended).stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const engine = children(pid).get("llama-server");
      expect(engine).toBeDefined();
      return { launcher, engine: engine as number, ended };
    }

    it("Ctrl-C while Codex runs leaves the gateway serving it; its exit closes the gateway and the engine", async () => {
      const { launcher, engine, ended } = await launch();
      // As a terminal's Ctrl-C reaches the launcher (Codex takes its own): the launcher stays, and so does
      // its gateway.
      for (let press = 0; press < 3; press++) {
        launcher.kill("SIGINT");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      launcher.stdin?.end("say hi\n");
      const result = await ended;
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      expect(result.stdout).toContain("Hello! This is the Switchyard test net");
      while (alive(engine)) await new Promise((resolve) => setTimeout(resolve, 100));
    }, 600_000);

    it("SIGTERM ends Codex, then the launcher closes its gateway and engine", async () => {
      const { launcher, engine, ended } = await launch();
      const codex = children(launcher.pid as number).get("codex") as number;
      launcher.kill("SIGTERM");
      const result = await ended;
      expect(result.code).not.toBe(0);
      expect(alive(codex)).toBe(false);
      while (alive(engine)) await new Promise((resolve) => setTimeout(resolve, 100));
    }, 600_000);
  });
});
