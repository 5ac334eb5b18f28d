import { describe, expect, it } from "vitest";
import { piEnv } from "./pi-env.js";

describe("piEnv", () => {
  it("points pi's llama.cpp provider at the gateway, with its key when it has one", () => {
    expect(piEnv({ baseUrl: "http://127.0.0.1:4747/", apiKey: undefined, contextWindow: 65536 })).toEqual({
      LLAMA_BASE_URL: "http://127.0.0.1:4747",
    });
    expect(piEnv({ baseUrl: "http://10.0.0.2:4747", apiKey: "sk-sy", contextWindow: undefined })).toEqual({
      LLAMA_BASE_URL: "http://10.0.0.2:4747",
      LLAMA_API_KEY: "sk-sy",
    });
  });
});
