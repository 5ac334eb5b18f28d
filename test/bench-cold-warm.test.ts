import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchTarget } from "../src/bench/bench-target.js";
import { formatPreflight } from "../src/bench/format-preflight.js";
import { runPreflight } from "../src/bench/preflight.js";
import { median } from "../src/bench/statistics.js";
import type { RunningSwitchyard } from "../src/gateway/start-switchyard.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";
import { startTestGateway } from "./support/test-gateway.js";

/** Cold against warm at 16K on the `small` test model, through Switchyard, where prefill costs real time. */
describe("bench pre-flight cold and warm at 16K (small test model, through Switchyard)", () => {
  let gateway: RunningSwitchyard;
  beforeAll(async () => {
    const modelFile = await ensureTestModel({ size: "small" }, () => {});
    gateway = await startTestGateway({}, { modelFile });
  }, 600_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it("warm gain ≥ 20, warm reuse ≥ 99 %, exact depth; client first byte = server prompt_ms + the gateway's reported overhead + the hop", async () => {
    const target: BenchTarget = {
      name: "switchyard",
      kind: "switchyard",
      baseUrl: gateway.url,
      wire: "anthropic",
      model: "local",
      local: true,
      headers: {},
    };
    const report = await runPreflight([target], {
      depths: [16384],
      reps: 2,
      warmAppend: 64,
      maxTokens: 16,
      minDecode: 40,
      maxWarmTtftMs: 1000,
      seed: 1,
    });
    console.log(formatPreflight(report));
    const depth = report.targets[0]?.depths[0];
    expect(depth?.promptTokens).toBe(16384);
    expect(depth?.exactDepth).toBe(true);
    expect(depth?.warmGain).toBeGreaterThanOrEqual(20);
    expect(depth?.warmReusePercent?.median).toBeGreaterThanOrEqual(99);
    // The gateway reports its own overhead in each turn record: its time to first byte (from the request's
    // arrival to the first bytes handed to the client's socket, stream-writer.test.ts) minus the backend's
    // prompt_ms. The client's first byte minus the server's prompt_ms minus that is then only the path
    // outside the gateway: two loopback hops, each process waking up.
    const gaps = report.samples.map((sample) => {
      const server = sample.metrics.serverPromptMs as number;
      const reportedOverhead = (sample.gatewayTtftMs as number) - server;
      // The gateway cannot write before the server's prefill ended.
      expect(reportedOverhead).toBeGreaterThanOrEqual(0);
      return (sample.metrics.firstByteMs as number) - server - reportedOverhead;
    });
    console.log(
      `client first byte − server prompt_ms − reported overhead: ${gaps.map((gap) => gap.toFixed(1)).join(", ")} ms`,
    );
    // The issue asks for ± 5 ms; that is a wall-clock figure, measured by `npm run bench:cold-warm` with the
    // gateway and the client in their own processes (docs/design/bench.md, "The overhead identity"). Here,
    // with both in this process, only causality is held: the gateway's clock starts after the client's
    // and stops before the client reads, so the gap is never negative; and the right turn record was read
    // (a mismatched record gives seconds, either way).
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(0);
    expect(median(gaps)).toBeLessThan(1000);
  }, 1_200_000);
});
