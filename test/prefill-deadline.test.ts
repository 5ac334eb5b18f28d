import { afterEach, describe, expect, it } from "vitest";
import { OpenAICompatibleBackend } from "../src/backends/openai-compatible/openai-compatible-backend.js";
import type { DeadlineTimers } from "../src/backends/prefill-deadline.js";
import type { CanonicalEvent } from "../src/core/canonical.js";
import { SwitchyardError } from "../src/core/errors.js";
import { canonicalRequest } from "./support/canonical-request.js";
import type { OpenAIProtocolServer } from "./support/openai-protocol-server.js";
import { startVllmProtocolServer, VLLM_MODEL } from "./support/vllm-protocol-server.js";

const MINUTE = 60_000;

/** Timers on a clock the test moves by hand: minutes pass at once, and only when the test says. */
function manualClock() {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timers: DeadlineTimers = {
    set: (callback, ms) => {
      pending.set(++next, { at: now + ms, callback });
      return next;
    },
    clear: (handle) => pending.delete(handle as number),
  };
  return {
    timers,
    advance(ms: number) {
      now += ms;
      for (const [handle, timer] of [...pending])
        if (timer.at <= now) {
          pending.delete(handle);
          timer.callback();
        }
    },
  };
}

/** About 90K tokens of prompt: 30,000 distinct words of ~9 bytes (the rule estimates bytes ÷ 3). */
const longPrompt = Array.from({ length: 30_000 }, (_, index) => `word${index}`).join(" ");

let server: OpenAIProtocolServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * A local vLLM (loopback protocol server) whose answer to the generation is held until the test
 * releases it, as a server busy prefilling a long prompt on a CPU is.
 */
async function heldBackend() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived: () => void = () => {};
  const requested = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  server = await startVllmProtocolServer({
    script: async () => {
      arrived();
      await released;
      return { status: 200, sse: "reasoning-stream" };
    },
  });
  const clock = manualClock();
  const backend = new OpenAICompatibleBackend({
    name: "cpu-box",
    baseUrl: `${server.url}/v1`,
    flavor: "vllm",
    models: [VLLM_MODEL],
    timers: clock.timers,
  });
  const collect = async () => {
    const events: CanonicalEvent[] = [];
    const request = canonicalRequest({ messages: [{ role: "user", parts: [{ type: "text", text: longPrompt }] }] });
    const signal = new AbortController().signal;
    for await (const event of backend.stream(request, { model: VLLM_MODEL, signal })) events.push(event);
    return events;
  };
  return { backend, clock, requested, release, collect };
}

describe("the prefill deadline (headers timeout scaled to the prompt)", () => {
  it("does not cut a backend that takes 12 minutes to its first byte on a 90K-token prompt", async () => {
    const { backend, clock, requested, release, collect } = await heldBackend();
    try {
      const answer = collect();
      await requested;
      // Twelve minutes pass with no byte from the server; a fixed 10-minute timeout would fire here.
      clock.advance(12 * MINUTE);
      release();
      const events = await answer;
      expect(events.at(-1)?.type).toBe("done");
    } finally {
      await backend.close();
    }
  });

  it("still cuts a server that never answers, once the scaled deadline passes, saying why", async () => {
    const { backend, clock, requested, release, collect } = await heldBackend();
    try {
      const answer = collect().catch((error: unknown) => error);
      await requested;
      // ~93K estimated tokens at the assumed 50 tokens/s, ×2: about an hour.
      clock.advance(3 * 60 * MINUTE);
      const error = await answer;
      expect(error).toBeInstanceOf(SwitchyardError);
      expect((error as SwitchyardError).code).toBe("prefill_timeout");
      expect((error as SwitchyardError).status).toBe(504);
      expect((error as SwitchyardError).message).toMatch(
        /sent no response headers within \d+ s \(prefill deadline for ~\d+ prompt tokens at 50 tokens\/s assumed/,
      );
      // The error carries the deadline it was given, for the turn record: over an hour for this prompt.
      const deadlineMs = (error as SwitchyardError).facts?.prefillDeadlineMs;
      expect(deadlineMs).toBeGreaterThan(60 * MINUTE);
      expect((error as SwitchyardError).message).toContain(`within ${Math.round((deadlineMs ?? 0) / 1000)} s`);
    } finally {
      release();
      await backend.close();
    }
  });
});
