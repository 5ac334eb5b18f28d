import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, updateConfigFile } from "./load-config.js";

const scratch = () => join(mkdtempSync(join(tmpdir(), "switchyard-config-")), "config.json");

describe("loadConfig", () => {
  it("gives defaults when the file is missing", () => {
    expect(loadConfig(scratch()).engine.slots).toBe(4);
  });
  it("resolves routing.module against the config file's directory, not the working directory", () => {
    const path = scratch();
    writeFileSync(path, JSON.stringify({ routing: { module: "rules/route.mjs" } }));
    expect(loadConfig(path).routing.module).toBe(join(dirname(path), "rules", "route.mjs"));
    writeFileSync(path, JSON.stringify({ routing: { module: "/opt/rules/route.mjs" } }));
    expect(loadConfig(path).routing.module).toBe("/opt/rules/route.mjs");
  });
  it("names the field that is wrong", () => {
    const path = scratch();
    writeFileSync(path, JSON.stringify({ engine: { slots: "four" } }));
    expect(() => loadConfig(path)).toThrow(/engine\.slots/);
  });
  it("rejects unknown fields by name", () => {
    const path = scratch();
    writeFileSync(path, JSON.stringify({ engine: { slot: 2 } }));
    expect(() => loadConfig(path)).toThrow(/slot/);
  });
  it("rejects a setting of another backend kind, naming the entry, the setting, the kind and its settings", () => {
    const path = scratch();
    const ollama = { name: "ollama", type: "ollama", url: "http://127.0.0.1:11434", numCtx: 65536 };
    writeFileSync(
      path,
      JSON.stringify({
        backends: [ollama, { name: "cloud", type: "anthropic", url: "https://api.anthropic.com", numCtx: 65536 }],
      }),
    );
    expect(() => loadConfig(path)).toThrow(
      /\n {2}backends\[1\]: numCtx is not a setting of an anthropic backend \(its settings: name, type, url, timeouts, apiKey, apiKeyEnv, models\)$/,
    );
    writeFileSync(path, JSON.stringify({ backends: [{ ...ollama, slotSave: true, models: ["qwen3"] }] }));
    expect(() => loadConfig(path)).toThrow(/backends\[0\]: slotSave and models are not settings of an ollama backend/);
    writeFileSync(path, JSON.stringify({ backends: [ollama] }));
    expect(loadConfig(path).backends).toEqual([ollama]);
  });
  it("names the backend types when one is wrong or missing", () => {
    const path = scratch();
    for (const type of ["llamacpp", undefined]) {
      writeFileSync(path, JSON.stringify({ backends: [{ name: "local", type, url: "http://127.0.0.1:8080" }] }));
      expect(() => loadConfig(path)).toThrow(
        /backends\[0\]\.type: must be one of llama-server, anthropic, openai-compatible, ollama, vllm, sglang/,
      );
    }
  });
  it("says when the file is not JSON", () => {
    const path = scratch();
    writeFileSync(path, "{ engine: ");
    expect(() => loadConfig(path)).toThrow(/not JSON/);
  });
  it("updates a field and keeps the rest", () => {
    const path = scratch();
    writeFileSync(path, JSON.stringify({ engine: { slots: 2 } }));
    updateConfigFile((raw) => {
      raw.engine = { ...(raw.engine as object), llamaServer: "/opt/llama-server" };
    }, path);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ engine: { slots: 2, llamaServer: "/opt/llama-server" } });
    expect(loadConfig(path).engine.llamaServer).toBe("/opt/llama-server");
  });
});
