import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForLine } from "./cli.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { type HttpFaultProxy, startHttpFaultProxy } from "./support/fault-proxy.js";
import { NODE_RELEASES, nodeBinary } from "./support/node-releases.js";
import { openAIFrames, sendOnce } from "./support/plain-client.js";
import { slowClientRun } from "./support/slow-client.js";
import { SWITCHYARD_CLI } from "./support/switchyard-cli.js";
import { startTestGateway } from "./support/test-gateway.js";

const body = { model: "local", max_tokens: 64, stream: true, messages: [{ role: "user", content: "hi" }] };

/** The streamed answer is whole and valid in its door's protocol, with no error in it. */
function expectWholeStream(door: "anthropic" | "openai", text: string): void {
  if (door === "anthropic") {
    const check = checkAnthropicStream(text);
    expect(check.violations).toEqual([]);
    expect(check.error).toBeUndefined();
  } else {
    const { chunks, done } = openAIFrames(text);
    expect(done).toBe(true);
    expect(chunks.find((chunk) => chunk.error)).toBeUndefined();
  }
}

// The gateway (this checkout's CLI, from source as the other CLI tests run it) on each Node line its
// users run, in front of the real llama-server through a fault-injecting proxy. The store is off: its
// native module is built for this machine's Node, not for these.
describe("the gateway on each Node.js line", () => {
  let engine: Awaited<ReturnType<typeof startTestGateway>>;
  let proxy: HttpFaultProxy;
  let scratch: string;

  beforeAll(async () => {
    engine = await startTestGateway({ engine: { slots: 1, contextSize: 4096, cacheRamMiB: 0 } });
    proxy = await startHttpFaultProxy(engine.engine?.url as string);
    scratch = mkdtempSync(join(tmpdir(), "switchyard-node-releases-"));
    writeFileSync(
      join(scratch, "config.json"),
      JSON.stringify({
        backends: [{ name: "local", type: "llama-server", url: proxy.url }],
        store: { path: null },
        telemetry: { turnsFile: null },
      }),
    );
  }, 300_000);
  afterAll(async () => {
    await proxy?.close();
    await engine?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const version of NODE_RELEASES) {
    describe(`Node.js ${version}`, () => {
      let child: ChildProcess | undefined;
      let url = "";

      beforeAll(async () => {
        const node = await nodeBinary(version);
        child = spawn(node, [...SWITCHYARD_CLI, "serve", "--config", join(scratch, "config.json"), "--port", "0"], {
          env: { ...process.env, XDG_STATE_HOME: scratch },
          stdio: ["ignore", "pipe", "pipe"],
        });
        url = (await waitForLine(child, /listening on (\S+)/))[1] as string;
      }, 900_000);
      afterAll(async () => {
        if (child?.exitCode === null) {
          const exited = new Promise((resolve) => child?.once("exit", resolve));
          child.kill("SIGTERM");
          await exited;
        }
      });

      it("streams a turn on both doors", async () => {
        for (const [door, path] of [
          ["anthropic", "/v1/messages"],
          ["openai", "/v1/chat/completions"],
        ] as const) {
          const answer = await sendOnce(`${url}${path}`, body);
          expect(answer.status, door).toBe(200);
          expectWholeStream(door, answer.text);
        }
      });

      // Node 22 and 24 each waited forever here, in two different ways, before the stream writer took its
      // cue from the socket (src/gateway/stream-writer.ts).
      it("waits for a client that stopped reading, then ends the answer once it reads again", async () => {
        const frames = 80;
        const frameBytes = 512 * 1024;
        proxy.fault = { kind: "inflate", frames, frameBytes };
        try {
          const run = await slowClientRun(`${url}/v1/messages`, body, proxy);
          expect(run.stalled).toBe(true);
          expect(run.acceptedWhenStalled).toBeLessThan((frames * frameBytes) / 2);
          expectWholeStream("anthropic", run.text);
          expect(run.text.length).toBeGreaterThan(frames * frameBytes);
        } finally {
          proxy.fault = { kind: "none" };
        }
      }, 120_000);
    });
  }
});
