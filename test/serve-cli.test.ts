import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { startCli, waitForLine } from "./cli.js";
import { processAlive } from "./support/process-alive.js";

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
