import { describe, expect, it } from "vitest";
import { codexConfig, codexOverrides } from "./codex-config.js";

describe("codexConfig", () => {
  it("points a Codex model provider at the Responses door, with the context window and the key's variable when known", () => {
    expect(codexConfig({ baseUrl: "http://127.0.0.1:4747/", apiKey: "k", contextWindow: 65536 })).toBe(
      [
        'model = "local"',
        'model_provider = "switchyard"',
        "model_context_window = 65536",
        "",
        "[model_providers.switchyard]",
        'name = "Switchyard"',
        'base_url = "http://127.0.0.1:4747/v1"',
        'wire_api = "responses"',
        'env_key = "SWITCHYARD_API_KEY"',
      ].join("\n"),
    );
    const plain = codexConfig({ baseUrl: "http://127.0.0.1:4747", apiKey: undefined, contextWindow: undefined });
    expect(plain).not.toMatch(/model_context_window|env_key/);
  });

  it("names another model and headers sent on every request (an eval run's), as TOML strings", () => {
    const config = codexConfig(
      { baseUrl: "http://127.0.0.1:4747", apiKey: "switchyard", contextWindow: undefined },
      { model: "qwen", httpHeaders: { "x-switchyard-session-id": 'run "1"' } },
    ).split("\n");
    expect(config).toContain('model = "qwen"');
    expect(config.at(-1)).toBe('http_headers = { "x-switchyard-session-id" = "run \\"1\\"" }');
  });

  it("gives the same settings as -c overrides, leaving the model to the user's own -m or -c model=", () => {
    const input = { baseUrl: "http://127.0.0.1:4747", apiKey: "k", contextWindow: 65536 };
    expect(codexOverrides(input)).toEqual([
      "-c",
      'model="local"',
      "-c",
      'model_provider="switchyard"',
      "-c",
      "model_context_window=65536",
      "-c",
      'model_providers.switchyard={name="Switchyard",base_url="http://127.0.0.1:4747/v1",wire_api="responses",env_key="SWITCHYARD_API_KEY"}',
    ]);
    for (const args of [["-m", "qwen"], ["--model=qwen"], ["-c", "model=qwen"]])
      expect(codexOverrides(input, args)).not.toContain('model="local"');
    expect(codexOverrides(input, ["exec", "fix the model loader"])).toContain('model="local"');
  });
});
