import type { ClaudeCodeEnvInput } from "./claude-code-env.js";

/**
 * The environment that points pi's built-in `llama.cpp` provider at Switchyard (`switchyard env --client
 * pi` prints it): the server's URL, which pi reads Switchyard's model catalog from (`GET /models`, in
 * llama.cpp's router format) and generates at (`/v1`), and the gateway's key when it has one. pi reads
 * the catalog when it starts interactive or RPC mode, and offers the models in `/model`.
 */
export function piEnv(input: ClaudeCodeEnvInput): Record<string, string> {
  return {
    LLAMA_BASE_URL: input.baseUrl.replace(/\/+$/, ""),
    ...(input.apiKey ? { LLAMA_API_KEY: input.apiKey } : {}),
  };
}
