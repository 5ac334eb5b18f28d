import { inject } from "vitest";
import { EngineSupervisor } from "../../src/engine/engine-supervisor.js";

export interface ReferenceLlamaServer {
  engine: EngineSupervisor;
  /** POSTs JSON to the server and returns its JSON answer; throws on a non-200 status. */
  post<T>(path: string, body: unknown): Promise<T>;
  /** llama-server's own token ids for `content` (/tokenize with specials added and parsed). */
  tokenize(content: string, parseSpecial?: boolean): Promise<number[]>;
  stop(): Promise<void>;
}

/**
 * The real llama-server serving the test model (the real Qwen3.5 vocabulary and template), one slot,
 * as the reference for rendering (/apply-template) and tokenizing (/tokenize).
 */
export async function startReferenceLlamaServer(): Promise<ReferenceLlamaServer> {
  const engine = await EngineSupervisor.start({
    binary: inject("llamaServer"),
    model: inject("testModel"),
    args: ["--jinja", "--parallel", "1", "--ctx-size", "4096", "--no-webui"],
    maxRestarts: 0,
  });
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${engine.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    engine,
    post,
    tokenize: async (content, parseSpecial = true) =>
      (await post<{ tokens: number[] }>("/tokenize", { content, add_special: true, parse_special: parseSpecial }))
        .tokens,
    stop: () => engine.stop(),
  };
}
