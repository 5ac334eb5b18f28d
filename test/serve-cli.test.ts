import type { ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { finished, startCli, waitForLine } from "./cli.js";
import { processAlive, processRunning as running } from "./support/process-alive.js";

describe("switchyard serve with no model", () => {
  let serve: ChildProcess | undefined;
  afterAll(() => {
    if (serve?.exitCode === null) serve.kill("SIGKILL");
  });

  it("runs the built-in test model, says so, serves, and stops its engine on SIGTERM", async () => {
    serve = startCli(["serve", "--port", "0"]);
    let stderr = "";
    serve.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [, url] = await waitForLine(serve, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(stderr).toMatch(/TEST MODEL/);
    expect(stderr).toMatch(/--model/);
    const response = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "hi" }], max_tokens: 64 }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { content: unknown[] }).content.length).toBeGreaterThan(0);
    const [, engineUrl, enginePid] = /llama-server ready at (\S+) \(PID (\d+)\)/.exec(stderr) ?? [];
    const props = (await (await fetch(`${engineUrl}/props`)).json()) as { total_slots: number };
    expect(props.total_slots).toBe(4);
    const pid = Number(enginePid);
    expect(processAlive(pid)).toBe(true);
    const exited = new Promise((resolve) => serve?.on("exit", resolve));
    serve.kill("SIGTERM");
    await exited;
    expect(processAlive(pid)).toBe(false);
  });
});

describe("switchyard serve signalled while its engine is still starting", () => {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-serve-signal-"));
  const serves: ChildProcess[] = [];
  const engines: number[] = [];
  afterAll(() => {
    for (const serve of serves) if (serve.exitCode === null && serve.signalCode === null) serve.kill("SIGKILL");
    for (const pid of engines) if (running(pid)) process.kill(pid, "SIGKILL");
    rmSync(scratch, { recursive: true, force: true });
  });

  // An engine that never becomes ready: a large model loads for minutes, the test model in a second, so a
  // signal in that window cannot be timed against the real llama-server. It notes its PID and waits.
  const engine = join(scratch, "loading-engine.sh");
  writeFileSync(engine, '#!/bin/sh\necho $$ > "$ENGINE_PID_FILE"\nexec sleep 600\n');
  chmodSync(engine, 0o755);

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("exits on %s with code %i and takes the engine with it", async (signal, code) => {
    const pidFile = join(scratch, `${signal}.pid`);
    const serve = startCli(["serve", "--port", "0", "--model", inject("testModel")], {
      SWITCHYARD_LLAMA_SERVER: engine,
      ENGINE_PID_FILE: pidFile,
    });
    serves.push(serve);
    const exited = finished(serve);
    await vi.waitFor(() => expect(readFileSync(pidFile, "utf8")).toMatch(/^\d+/), { timeout: 60_000, interval: 20 });
    const pid = Number(readFileSync(pidFile, "utf8"));
    engines.push(pid);
    expect(running(pid)).toBe(true);
    serve.kill(signal);
    const { stdout, stderr, ...ended } = await exited;
    // Exited by its own hand (not killed by the signal's default action, which runs no hook).
    expect(ended, stderr).toEqual({ code, signal: null });
    expect(stderr).toContain(`${signal} before the gateway was ready: stopping`);
    expect(stdout).not.toContain("listening on");
    await vi.waitFor(() => expect(running(pid)).toBe(false), { timeout: 5_000, interval: 20 });
  });
});
