import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runCommand } from "../src/util/run-command.js";
import { runCli } from "./cli.js";

describe("switchyard engine", () => {
  it("path prints an absolute llama-server path that answers --version, as its last line", async () => {
    const result = await runCli(["engine", "path"]);
    expect(result.code).toBe(0);
    const last = result.stdout.trim().split("\n").at(-1) ?? "";
    expect(isAbsolute(last)).toBe(true);
    const version = await runCommand(last, ["--version"]);
    expect(version.code).toBe(0);
    expect(`${version.stdout}${version.stderr}`).toMatch(/version: /);
  });

  it("install --use adopts an existing llama-server and saves it in the config", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "switchyard-use-")), "config.json");
    const binary = inject("llamaServer");
    const result = await runCli(["--config", config, "engine", "install", "--use", binary]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(binary);
    expect(JSON.parse(readFileSync(config, "utf8"))).toEqual({ engine: { llamaServer: binary } });
    const path = await runCli(["--config", config, "engine", "path"]);
    expect(path.stdout.trim()).toBe(binary);
  });

  it("install --use refuses a file that is not a working llama-server", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-use-"));
    const fake = join(directory, "llama-server");
    writeFileSync(fake, "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    const result = await runCli(["--config", join(directory, "config.json"), "engine", "install", "--use", fake]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--version failed \(exit 3\)/);
    const missing = await runCli([
      "--config",
      join(directory, "config.json"),
      "engine",
      "install",
      "--use",
      "/nonexistent/llama-server",
    ]);
    expect(missing.stderr).toMatch(/no such file: \/nonexistent\/llama-server/);
  });

  it("test-model rejects an unknown size by name", async () => {
    const result = await runCli(["engine", "test-model", join(tmpdir(), "never.gguf"), "--size", "huge"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--size must be one of tiny, small/);
  });

  it("test-model rejects an unknown script by name, and a template that is no file in models/templates/", async () => {
    const out = join(tmpdir(), "never.gguf");
    const script = await runCli(["engine", "test-model", out, "--script", "dance"]);
    expect(script.code).not.toBe(0);
    expect(script.stderr).toMatch(/--script must be one of text, tool-call, malformed-tool-call, unscripted/);
    const template = await runCli(["engine", "test-model", out, "--template", "../../etc/passwd"]);
    expect(template.code).not.toBe(0);
    expect(template.stderr).toMatch(/--template must be qwen3.5, qwen3-coder or a file in .*models\/templates/);
    const tool = await runCli(["engine", "test-model", out, "--script", "tool-call", "--tool", "../bash"]);
    expect(tool.code).not.toBe(0);
    expect(tool.stderr).toMatch(/the tool name "..\/bash" is not a-z, 0-9, _ or -/);
  });

  it("test-model writes a scripted model for a template file", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "switchyard-cli-model-")), "glm.gguf");
    const result = await runCli([
      "engine",
      "test-model",
      out,
      "--template",
      "GLM-4.7-Flash.jinja",
      "--script",
      "tool-call",
      "--tool",
      "bash",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/GLM-4.7-Flash.jinja template, tool-call script, tool bash, seed 1/);
    expect(statSync(out).size).toBeGreaterThan(100_000_000);
    rmSync(dirname(out), { recursive: true });
  });
});
