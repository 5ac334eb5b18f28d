import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { runCli } from "./cli.js";
import { startStockEngine } from "./support/stock-engine.js";
import { startTestGateway } from "./support/test-gateway.js";

describe("switchyard doctor", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let badly: EngineSupervisor;
  let deepseek: EngineSupervisor;
  let gemma: EngineSupervisor;
  let distill: EngineSupervisor;
  beforeAll(async () => {
    gateway = await startTestGateway();
    // As many run it: one slot, a small context, the model's own (Qwen3.5) template.
    badly = await EngineSupervisor.start({
      binary: inject("llamaServer"),
      model: inject("testModel"),
      args: ["--jinja", "--parallel", "1", "--ctx-size", "8192", "--no-webui"],
    });
    // On their stock templates: families Switchyard renders itself (DeepSeek V3.2, Gemma 4, and the R1
    // distills from a corrected copy of their template).
    const stock = (template: string) => startStockEngine(template, { parallel: 1, ctxSize: 65536 });
    deepseek = await stock("deepseek-ai-DeepSeek-V3.2.jinja");
    gemma = await stock("google-gemma-4-31B-it.jinja");
    distill = await stock("deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja");
  });
  afterAll(async () => {
    await deepseek?.stop();
    await gemma?.stop();
    await distill?.stop();
    await badly?.stop();
    await gateway?.close();
  });

  it("passes the engine Switchyard launches, with a two-turn probe that shows reuse", async () => {
    const result = await runCli(["doctor", "--url", gateway.url]);
    expect(result.stdout).toContain(`llama-server at ${gateway.engine?.url}`);
    expect(result.stdout).toMatch(/\[ok {2}\] slots: 4/);
    expect(result.stdout).toMatch(/\[ok {2}\] append-only template: yes/);
    expect(result.stdout).toMatch(
      /\[ok {2}\] two-turn probe: turn 2 reused \d+ of the \d+ prompt tokens of turn 1 \(100\.0 %\)/,
    );
    expect(result.stdout).not.toContain("[FAIL]");
    expect(result.code).toBe(0);
  });

  it("says what to change on a badly configured llama-server", async () => {
    const result = await runCli(["doctor", "--backend", badly.url, "--url", gateway.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[WARN\] slots: 1/);
    expect(result.stdout).toMatch(/\[FAIL\] context per request: 8192 tokens/);
    // The model's own Qwen3.5 template: append-only with Switchyard in front (the history remedy).
    expect(result.stdout).toMatch(/\[ok {2}\] model family: Qwen3\.5 \/ Qwen3\.6: append-only/);
    expect(result.stdout).toMatch(/\[ok {2}\] append-only template: yes/);
    expect(result.stdout).toMatch(/\[ok {2}\] mid-conversation system messages: rendered and compared/);
    expect(result.stdout).toContain("What to change:");
  });

  it("says when Switchyard renders a family's prompt itself, and that it is append-only then", async () => {
    const result = await runCli(["doctor", "--backend", deepseek.url, "--url", gateway.url]);
    expect(result.stdout).toMatch(
      /\[ok {2}\] model family: DeepSeek V3\.2: append-only with Switchyard in front: Switchyard renders/,
    );
    expect(result.stdout).toMatch(/\[ok {2}\] append-only template: yes: .*as Switchyard renders them/);
    // DeepSeek moves a mid-conversation system message to the head: Switchyard sends it in place.
    expect(result.stdout).toMatch(/system messages: rendered and compared: the template raises on them, moves them/);
  });

  it("says Gemma 4's stock template is append-only with Switchyard rendering it", async () => {
    const result = await runCli(["doctor", "--backend", gemma.url, "--url", gateway.url]);
    expect(result.stdout).toMatch(
      /\[ok {2}\] model family: Gemma 4: append-only with Switchyard in front: Switchyard renders/,
    );
    expect(result.stdout).toMatch(/\[ok {2}\] append-only template: yes: .*as Switchyard renders them/);
  });

  it("says the R1 distills are append-only with Switchyard rendering a corrected copy of their template", async () => {
    const result = await runCli(["doctor", "--backend", distill.url, "--url", gateway.url]);
    expect(result.stdout).toMatch(
      /\[ok {2}\] model family: DeepSeek R1 distills: append-only with Switchyard in front: Switchyard renders/,
    );
    expect(result.stdout).toMatch(/\[ok {2}\] append-only template: yes: .*as Switchyard renders them/);
    expect(result.stdout).not.toContain("not append-only");
    // Their templates write calls and results but never the tool list.
    expect(result.stdout).toMatch(/\[ok {2}\] tool list: the template never writes the tool list/);
  });
});
