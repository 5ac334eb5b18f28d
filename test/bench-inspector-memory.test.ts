import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { connectInspector, type Inspector } from "../bench/support/inspector-memory.js";

/** Holds a 64 MiB Buffer for good, and ~400,000 objects until told (a line on stdin) to let them go. */
const CHILD = `
globalThis.kept = Buffer.alloc(64 * 1024 * 1024, 1);
let dropped = Array.from({ length: 400000 }, (_, i) => ({ i, text: "object " + i }));
process.stdin.on("data", () => { dropped = undefined; console.log("dropped"); });
console.log("ready", dropped.length);
`;

describe("bench:memory's reading through the inspector", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  let inspector: Inspector | undefined;
  afterEach(() => {
    inspector?.close();
    child?.kill("SIGKILL");
    child = undefined;
  });

  const line = (stream: NodeJS.ReadableStream, pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      let text = "";
      const listen = (chunk: Buffer) => {
        text += chunk.toString();
        const match = pattern.exec(text);
        if (!match) return;
        stream.off("data", listen);
        resolve(match);
      };
      stream.on("data", listen);
      child?.once("exit", (code) => reject(new Error(`the child exited with ${code}: ${text}`)));
    });

  it("reads heap and buffers after a full collection, so what a process let go is not counted", async () => {
    child = spawn(process.execPath, ["--inspect=127.0.0.1:0", "-e", CHILD]);
    const [debuggerLine] = await Promise.all([
      line(child.stderr, /Debugger listening on (ws:\/\/\S+)/),
      line(child.stdout, /ready 400000/),
    ]);
    inspector = await connectInspector(debuggerLine[1] as string);
    const holding = await inspector.memory();
    expect(holding.buffersMiB).toBeGreaterThanOrEqual(64);
    expect(holding.rssMiB).toBeGreaterThan(holding.buffersMiB);

    const dropped = line(child.stdout, /dropped/);
    child.stdin.write("drop\n");
    await dropped;
    const after = await inspector.memory();
    // Nothing collects an idle process this soon on its own: only the forced collection lets the objects go.
    expect(holding.heapMiB - after.heapMiB).toBeGreaterThan(10);
    expect(after.buffersMiB).toBeGreaterThanOrEqual(64);
  });

  it("fails clearly when no inspector answers", async () => {
    await expect(connectInspector("ws://127.0.0.1:9/none", 2_000)).rejects.toThrow(/inspector at ws:\/\/127.0.0.1:9/);
  });
});
