import { describe, expect, it } from "vitest";
import { EngineStartError } from "../engine/engine-supervisor.js";
import { isOutOfMemory } from "./moe-launcher.js";

describe("isOutOfMemory", () => {
  // Lines carrying the messages llama.cpp v0.5.0 prints (src/llama-kv-cache.cpp:288,
  // ggml/src/ggml-backend.cpp:2451, src/llama-context.cpp:2538, ggml/src/ggml-cuda/ggml-cuda.cu:893).
  it.each([
    "llama_init_from_model: failed to initialize the context: failed to allocate buffer for kv cache",
    "ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size 25769803776",
    "graph_reserve: failed to allocate compute buffers",
    "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 24576.00 MiB on device 0: cudaMalloc failed: out of memory",
  ])("an engine that stopped on %j ran out of memory", (line) => {
    expect(isOutOfMemory(new EngineStartError("llama-server exited with code 1 before it was ready", line))).toBe(true);
  });

  it("other failures are not out of memory", () => {
    expect(isOutOfMemory(new EngineStartError("llama-server exited with code 1", "error: unknown argument: -x"))).toBe(
      false,
    );
    expect(isOutOfMemory(new Error("fetch failed"))).toBe(false);
  });
});
