import { describe, expect, it } from "vitest";
import type { Backend, BackendHealth, BackendKind, TokenCount } from "../backends/backend.js";
import type { CanonicalEvent } from "../core/canonical.js";
import { SwitchyardError } from "../core/errors.js";
import { isClaudeModelName, ModelRouter } from "./model-router.js";

/** The least a Backend must do for routing: a name, local or not, and the models it lists. */
class FakeBackend implements Backend {
  readonly baseUrl: string;
  listCalls = 0;

  constructor(
    readonly name: string,
    readonly kind: BackendKind,
    readonly local: boolean,
    private readonly models: string[] | Error,
    private readonly delayMs = 0,
  ) {
    this.baseUrl = `http://${name}.invalid`;
  }

  async listModels(): Promise<string[]> {
    this.listCalls++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.models instanceof Error) throw this.models;
    return [...this.models];
  }

  async *stream(): AsyncGenerator<CanonicalEvent> {
    yield* [];
  }

  async countTokens(): Promise<TokenCount> {
    return { tokens: 0, exact: false };
  }

  async health(): Promise<BackendHealth> {
    return { ok: true, detail: "fake" };
  }

  async contextSize(): Promise<number | undefined> {
    return undefined;
  }

  async close(): Promise<void> {}
}

const cloud = () => new FakeBackend("cloud", "anthropic", false, []);
const local = () => new FakeBackend("local", "llama-server", true, ["qwen3.5-4b.gguf"]);
const second = () => new FakeBackend("gpu-box", "llama-server", true, ["gpt-oss-20b", "qwen3-coder-30b"]);

async function router(backends: Backend[], aliases: Record<string, string> = {}): Promise<ModelRouter> {
  const result = new ModelRouter(backends, aliases);
  await result.refresh();
  return result;
}

function routeError(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return error as SwitchyardError;
  }
  throw new Error("expected resolve to throw");
}

describe("isClaudeModelName", () => {
  it.each([
    "opus",
    "sonnet",
    "haiku",
    "Sonnet",
    "claude-sonnet-4-5-20250929",
    "claude-3-5-haiku-latest",
    "claude-opus-4-1",
    "claude-haiku-4-5-20251001",
    "opus-4",
  ])("%s is a Claude name", (name) => {
    expect(isClaudeModelName(name)).toBe(true);
  });

  it.each(["qwen-local", "gpt-oss-20b", "llama-3-opus-finetune", "sonnetry"])("%s is not", (name) => {
    expect(isClaudeModelName(name)).toBe(false);
  });
});

describe("ModelRouter.resolve", () => {
  it.each(["opus", "sonnet", "haiku", "claude-sonnet-4-5-20250929", "claude-3-5-haiku-latest"])(
    "routes the Claude name %s to the first local backend's model",
    async (name) => {
      const backends = [cloud(), local(), second()];
      const route = (await router(backends)).resolve(name);
      expect(route.backend).toBe(backends[1]);
      expect(route.model).toBe("qwen3.5-4b.gguf");
      expect(route.reason).toBe("claude-name");
    },
  );

  it("routes an unknown name to the first local backend as the default", async () => {
    const backends = [cloud(), local()];
    expect((await router(backends)).resolve("qwen-local")).toEqual({
      backend: backends[1],
      model: "qwen3.5-4b.gguf",
      reason: "default",
    });
  });

  it("falls back to the first backend when none is local", async () => {
    const only = cloud();
    const route = (await router([only])).resolve("sonnet");
    expect(route.backend).toBe(only);
    expect(route.model).toBe("default");
  });

  it("routes a served model name to the backend that serves it", async () => {
    const backends = [local(), second()];
    const routes = await router(backends);
    expect(routes.resolve("qwen3-coder-30b")).toEqual({
      backend: backends[1],
      model: "qwen3-coder-30b",
      reason: "served-model",
    });
    expect(routes.resolve("qwen3.5-4b.gguf")).toEqual({
      backend: backends[0],
      model: "qwen3.5-4b.gguf",
      reason: "served-model",
    });
  });

  it("the first backend listing a model keeps it", async () => {
    const a = new FakeBackend("a", "llama-server", true, ["shared"]);
    const b = new FakeBackend("b", "llama-server", true, ["shared"]);
    expect((await router([a, b])).resolve("shared").backend).toBe(a);
  });

  it("an exact alias naming a backend goes to that backend's default model", async () => {
    const backends = [local(), second()];
    expect((await router(backends, { fast: "gpu-box" })).resolve("fast")).toEqual({
      backend: backends[1],
      model: "gpt-oss-20b",
      reason: "alias",
    });
  });

  it("a backend/model alias names the model too (the model may hold slashes)", async () => {
    const backends = [local(), cloud()];
    const routes = await router(backends, {
      opus: "cloud/claude-opus-4-1",
      hf: "local/Qwen/Qwen3.5-4B-GGUF",
    });
    expect(routes.resolve("opus")).toEqual({ backend: backends[1], model: "claude-opus-4-1", reason: "alias" });
    expect(routes.resolve("hf")).toEqual({ backend: backends[0], model: "Qwen/Qwen3.5-4B-GGUF", reason: "alias" });
  });

  it("a wildcard alias claude-haiku* matches every dated haiku", async () => {
    const backends = [local(), second()];
    const routes = await router(backends, { "claude-haiku*": "gpu-box/gpt-oss-20b" });
    for (const name of ["claude-haiku-4-5-20251001", "claude-haiku-4-5", "claude-haiku"]) {
      expect(routes.resolve(name)).toEqual({ backend: backends[1], model: "gpt-oss-20b", reason: "alias" });
    }
    // Not a prefix match: default route.
    expect(routes.resolve("claude-3-5-haiku-latest")).toMatchObject({ backend: backends[0], reason: "claude-name" });
  });

  it("an exact alias wins over a wildcard and over a served model", async () => {
    const backends = [local(), second()];
    const routes = await router(backends, {
      "claude-haiku*": "gpu-box",
      "claude-haiku-4-5": "local",
      "gpt-oss-20b": "local/qwen3.5-4b.gguf",
    });
    expect(routes.resolve("claude-haiku-4-5")).toMatchObject({ backend: backends[0], model: "qwen3.5-4b.gguf" });
    expect(routes.resolve("claude-haiku-4-5-20251001")).toMatchObject({ backend: backends[1], model: "gpt-oss-20b" });
    expect(routes.resolve("gpt-oss-20b")).toEqual({ backend: backends[0], model: "qwen3.5-4b.gguf", reason: "alias" });
  });

  it("says where Claude names go when no alias says, and among how many models", async () => {
    const several = await router([second(), cloud()]);
    expect(several.claudeRoute()).toMatchObject({ route: { model: "gpt-oss-20b" }, choices: 2 });
    expect((await router([local()])).claudeRoute()?.choices).toBe(1);
    expect((await router([second()], { "claude-*": "gpu-box/qwen3-coder-30b" })).claudeRoute()).toBeUndefined();
  });

  it("an alias naming a missing backend throws", async () => {
    const routes = await router([local()], { big: "nowhere/some-model", small: "ghost" });
    for (const name of ["big", "small"]) {
      const error = routeError(() => routes.resolve(name));
      expect(error).toMatchObject({ kind: "internal", code: "bad_alias" });
      expect(error.message).toContain(name);
    }
    expect(routeError(() => routes.resolve("big")).message).toContain("nowhere/some-model");
  });

  it("no backends throws", async () => {
    const routes = await router([]);
    for (const name of ["sonnet", "anything"]) {
      expect(routeError(() => routes.resolve(name))).toMatchObject({ kind: "overloaded", code: "no_backend" });
    }
  });

  it("a backend whose model list fails still takes the default route", async () => {
    const broken = new FakeBackend("local", "llama-server", true, new Error("connection refused"));
    const route = (await router([broken])).resolve("sonnet");
    expect(route.backend).toBe(broken);
    expect(route.model).toBe("default");
  });

  it("refresh forgets models a backend no longer lists", async () => {
    const models = ["old-model"];
    const backend = new FakeBackend("local", "llama-server", true, models);
    const routes = await router([backend]);
    expect(routes.resolve("old-model").reason).toBe("served-model");
    models.splice(0, 1, "new-model");
    await routes.refresh();
    expect(backend.listCalls).toBe(2);
    expect(routes.resolve("old-model").reason).toBe("default");
    expect(routes.resolve("new-model").reason).toBe("served-model");
  });

  it("a model listed by two backends goes to the one configured first, however slow", async () => {
    const slow = new FakeBackend("a", "llama-server", true, ["shared"], 30);
    const fast = new FakeBackend("b", "llama-server", true, ["shared"]);
    expect((await router([slow, fast])).resolve("shared").backend).toBe(slow);
  });

  it("resolves with the previous model lists while a refresh is under way", async () => {
    const backends = [local(), new FakeBackend("gpu-box", "llama-server", true, ["gpt-oss-20b"], 30)];
    const routes = await router(backends);
    const refreshing = routes.refresh();
    try {
      expect(routes.resolve("gpt-oss-20b")).toMatchObject({ backend: backends[1], reason: "served-model" });
      expect(routes.resolve("sonnet").model).toBe("qwen3.5-4b.gguf");
    } finally {
      await refreshing;
    }
  });

  it("accepts a model name that is an Object.prototype key", async () => {
    const backends = [local()];
    const routes = await router(backends, { fast: "local" });
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      expect(routes.resolve(name)).toEqual({ backend: backends[0], model: "qwen3.5-4b.gguf", reason: "default" });
    }
  });
});

describe("ModelRouter.modelNames", () => {
  it("lists served models and non-wildcard aliases, once each", async () => {
    const routes = await router([local(), second()], {
      fast: "gpu-box",
      "claude-haiku*": "local",
      "gpt-oss-20b": "gpu-box",
      opus: "local/qwen3.5-4b.gguf",
    });
    const names = routes.modelNames();
    expect([...names].sort()).toEqual(["fast", "gpt-oss-20b", "opus", "qwen3-coder-30b", "qwen3.5-4b.gguf"]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("is empty with nothing served and no aliases", async () => {
    expect((await router([])).modelNames()).toEqual([]);
  });

  it("lists only aliases before the first refresh", () => {
    expect(new ModelRouter([local()], { fast: "local" }).modelNames()).toEqual(["fast"]);
  });
});

describe("ModelRouter: placing sessions on several local backends", () => {
  class SlottedBackend extends FakeBackend {
    free = 0;
    freeSlots(): number {
      return this.free;
    }
  }

  it("puts a new session where a slot is free and keeps it there", async () => {
    const first = new SlottedBackend("gpu-a", "llama-server", true, ["model-a"]);
    const second = new SlottedBackend("gpu-b", "llama-server", true, ["model-b"]);
    const router = new ModelRouter([first, second]);
    await router.refresh();
    first.free = 0;
    second.free = 2;
    expect(router.resolve("claude-sonnet-4-5", "s1")).toMatchObject({
      backend: second,
      model: "model-b",
      reason: "session-placement",
    });
    second.free = 0;
    first.free = 3;
    expect(router.resolve("claude-sonnet-4-5", "s1").backend).toBe(second);
    expect(router.resolve("claude-sonnet-4-5", "s2").backend).toBe(first);
  });

  it("does not place when there is one local backend", async () => {
    const only = new SlottedBackend("gpu", "llama-server", true, ["m"]);
    const router = new ModelRouter([only]);
    await router.refresh();
    expect(router.resolve("sonnet", "s1").reason).toBe("claude-name");
  });
});
