import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/config-schema.js";
import { type RunningSwitchyard, startSwitchyard } from "../src/gateway/start-switchyard.js";
import type { TurnRecord } from "../src/telemetry/turn-record.js";
import { freePort } from "../src/util/free-port.js";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import { type HttpFault, type HttpFaultProxy, startHttpFaultProxy } from "./support/fault-proxy.js";
import { eventually, openAIFrames, sendOnce } from "./support/plain-client.js";
import { slowClientRun } from "./support/slow-client.js";
import { startTestGateway } from "./support/test-gateway.js";

type Door = "anthropic" | "openai";
const DOORS: Door[] = ["anthropic", "openai"];
const PATH: Record<Door, string> = { anthropic: "/v1/messages", openai: "/v1/chat/completions" };
const body = (stream: boolean) => ({
  model: "local",
  max_tokens: 64,
  stream,
  messages: [{ role: "user", content: "hi" }],
});

/** What the client sees of an answer, in either protocol: status, and the error's type and code if any. */
interface Outcome {
  status: number;
  errorType?: string;
  errorCode?: string;
  text: string;
}

function outcome(door: Door, stream: boolean, status: number, text: string): Outcome {
  if (status !== 200 || !stream) {
    const json = JSON.parse(text) as { error?: { type: string; code?: string } };
    return { status, errorType: json.error?.type, errorCode: json.error?.code ?? undefined, text };
  }
  if (door === "anthropic") {
    const check = checkAnthropicStream(text);
    expect(check.violations).toEqual([]);
    return { status, errorType: check.error?.type, text };
  }
  const { chunks, done } = openAIFrames(text);
  expect(done).toBe(true);
  const error = chunks.find((chunk) => chunk.error)?.error as { type: string; code: string } | undefined;
  return { status, errorType: error?.type, errorCode: error?.code, text };
}

async function call(gateway: RunningSwitchyard, door: Door, stream: boolean): Promise<Outcome> {
  const answer = await sendOnce(`${gateway.url}${PATH[door]}`, body(stream));
  return outcome(door, stream, answer.status, answer.text);
}

const openConnections = (gateway: RunningSwitchyard) =>
  new Promise<number>((resolve) => gateway.server.getConnections((_, count) => resolve(count)));
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

/** The next turn record (records are written just after the answer). */
async function nextTurn(gateway: RunningSwitchyard, before: number): Promise<TurnRecord | undefined> {
  await eventually(() => gateway.recorder.recent(10_000).length > before);
  return gateway.recorder.recent(10_000).at(-1);
}

interface FaultCase {
  name: string;
  fault: HttpFault;
  /** Whether the fault strikes after the answer started (a streamed answer then ends with an error event). */
  midStream: boolean;
  status: number;
  code: string;
  anthropicType: string;
}

const CASES: FaultCase[] = [
  {
    name: "500",
    fault: { kind: "status", status: 500, message: "boom" },
    midStream: false,
    status: 502,
    code: "upstream_error",
    anthropicType: "api_error",
  },
  {
    name: "503",
    fault: { kind: "status", status: 503, message: "Loading model" },
    midStream: false,
    status: 529,
    code: "upstream_unavailable",
    anthropicType: "overloaded_error",
  },
  {
    name: "529",
    fault: { kind: "status", status: 529, message: "overloaded" },
    midStream: false,
    status: 529,
    code: "upstream_unavailable",
    anthropicType: "overloaded_error",
  },
  {
    name: "killed mid-stream",
    fault: { kind: "cut", afterBytes: 2000 },
    midStream: true,
    status: 502,
    code: "stream_interrupted",
    anthropicType: "api_error",
  },
  {
    // The upstream's 200 began, then its connection closed before the first event: nothing has reached
    // the client yet, so it gets a real HTTP error (on a stream too), not a stream that breaks.
    name: "closed after its headers, before the first token",
    fault: { kind: "cut", afterBytes: 0 },
    midStream: false,
    status: 502,
    code: "stream_interrupted",
    anthropicType: "api_error",
  },
  {
    name: "stall mid-stream past the idle timeout",
    fault: { kind: "stall", afterFrames: 3 },
    midStream: true,
    status: 504,
    code: "stream_interrupted",
    anthropicType: "timeout_error",
  },
  {
    // A short prompt: the prefill deadline is its floor, timeouts.headersMs.
    name: "stall before the headers past the headers timeout",
    fault: { kind: "stall", afterFrames: 0 },
    midStream: false,
    status: 504,
    code: "prefill_timeout",
    anthropicType: "timeout_error",
  },
  {
    name: "truncated SSE (no finish, no [DONE])",
    fault: { kind: "truncate", afterFrames: 3 },
    midStream: true,
    status: 502,
    code: "stream_truncated",
    anthropicType: "api_error",
  },
  {
    name: "malformed SSE",
    fault: { kind: "malformed" },
    midStream: true,
    status: 502,
    code: "malformed_stream",
    anthropicType: "api_error",
  },
];

describe("upstream faults through a fault-injecting proxy in front of the real llama-server", () => {
  let engine: Awaited<ReturnType<typeof startTestGateway>>;
  let proxy: HttpFaultProxy;
  let gateway: RunningSwitchyard;
  let baselineTimers = 0;

  beforeAll(async () => {
    engine = await startTestGateway({ engine: { slots: 2, contextSize: 8192, cacheRamMiB: 0 } });
    proxy = await startHttpFaultProxy(engine.engine?.url as string);
    gateway = await startSwitchyard({
      config: configSchema.parse({
        backends: [
          {
            name: "flaky",
            type: "llama-server",
            url: proxy.url,
            timeouts: { connectMs: 2_000, headersMs: 3_000, idleMs: 1_000 },
          },
        ],
        telemetry: { turnsFile: null },
      }),
      port: 0,
      probeLocal: false,
    });
    for (const door of DOORS)
      for (const stream of [false, true]) expect((await call(gateway, door, stream)).status).toBe(200);
    baselineTimers = timers();
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
    await engine?.close();
  });

  /** No socket or timer outlives a request: the gateway holds no client connection, no upstream exchange. */
  async function expectNothingLeaked(): Promise<void> {
    expect(await eventually(async () => (await openConnections(gateway)) === 0)).toBe(true);
    expect(await eventually(() => proxy.inFlight === 0)).toBe(true);
    expect(await eventually(() => timers() <= baselineTimers)).toBe(true);
  }

  for (const fault of CASES) {
    it(`${fault.name}: a protocol error on both doors, a record of it, then normal service`, async () => {
      for (const door of DOORS) {
        for (const stream of [false, true]) {
          proxy.fault = fault.fault;
          const before = gateway.recorder.recent(10_000).length;
          const seen = await call(gateway, door, stream);
          const where = `${door} ${stream ? "stream" : "json"}`;
          const inStream = stream && fault.midStream;
          expect(seen.status, where).toBe(inStream ? 200 : fault.status);
          if (door === "anthropic") expect(seen.errorType, where).toBe(fault.anthropicType);
          else expect(seen.errorCode, where).toBe(fault.code);
          const turn = await nextTurn(gateway, before);
          expect(turn?.status, where).toBe(inStream ? 200 : fault.status);
          expect(turn?.error?.code, where).toBe(fault.code);
          // The record says what deadline the generation had: at least the configured timeouts.headersMs.
          expect(turn?.prefillDeadlineMs, where).toBeGreaterThanOrEqual(3_000);
          proxy.fault = { kind: "none" };
          await expectNothingLeaked();
          const after = await call(gateway, door, stream);
          expect(after.status, where).toBe(200);
          expect(after.errorType, where).toBeUndefined();
        }
      }
      await expectNothingLeaked();
    });
  }

  it("passes a 10 MB SSE line through whole, on both doors", async () => {
    proxy.fault = { kind: "inflate", frames: 1, frameBytes: 10 * 1024 * 1024 };
    try {
      for (const door of DOORS) {
        for (const stream of [false, true]) {
          const seen = await call(gateway, door, stream);
          expect(seen.status).toBe(200);
          expect(seen.errorType).toBeUndefined();
          expect(seen.text.length).toBeGreaterThan(10 * 1024 * 1024);
        }
      }
    } finally {
      proxy.fault = { kind: "none" };
    }
    await expectNothingLeaked();
  });

  it("stops reading upstream while a slow client's socket is full: buffering stays bounded", async () => {
    const frames = 160;
    const frameBytes = 512 * 1024;
    const total = frames * frameBytes;
    for (const door of DOORS) {
      proxy.fault = { kind: "inflate", frames, frameBytes };
      let heap = process.memoryUsage();
      const run = await slowClientRun(`${gateway.url}${PATH[door]}`, body(true), proxy, () => {
        heap = process.memoryUsage();
      });
      const accepted = run.acceptedWhenStalled;
      console.log(
        `${door}: slow client read ${run.readBeforeStop} B; upstream writes stalled after ${accepted} of ${total} B; heap+buffers ${Math.round((heap.heapUsed + heap.arrayBuffers) / 2 ** 20)} MiB`,
      );
      expect(run.stalled, door).toBe(true);
      // Kernel socket buffers on loopback and stream high-water marks hold some megabytes; a gateway that
      // kept reading would have taken the whole 80 MB.
      expect(accepted, door).toBeLessThan(total / 2);
      expect(heap.heapUsed + heap.arrayBuffers, door).toBeLessThan(1024 * 1024 * 1024);
      const text = run.text;
      proxy.fault = { kind: "none" };
      expect(outcome(door, true, 200, text).errorType, door).toBeUndefined();
      expect(text.length, door).toBeGreaterThan(total);
      await expectNothingLeaked();
    }
  });
});

describe("an unreachable backend", () => {
  it("answers a real status on both doors, streaming or not, and records it", async () => {
    const deadPort = await freePort();
    const gateway = await startSwitchyard({
      config: configSchema.parse({
        backends: [{ name: "dead", type: "llama-server", url: `http://127.0.0.1:${deadPort}` }],
        telemetry: { turnsFile: null },
      }),
      port: 0,
      probeLocal: false,
    });
    try {
      for (const door of DOORS) {
        for (const stream of [false, true]) {
          const before = gateway.recorder.recent(10_000).length;
          const seen = await call(gateway, door, stream);
          expect(seen.status).toBe(502);
          if (door === "anthropic") expect(seen.errorType).toBe("api_error");
          else expect(seen.errorCode).toBe("backend_unreachable");
          expect((await nextTurn(gateway, before))?.error?.code).toBe("backend_unreachable");
        }
      }
      expect(await eventually(async () => (await openConnections(gateway)) === 0)).toBe(true);
    } finally {
      await gateway.close();
    }
  });
});
