import { describe, expect, it } from "vitest";
import { withScheme } from "./identify-server.js";

describe("withScheme", () => {
  it("reads a URL typed without a scheme as http://", () => {
    expect(withScheme("127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(withScheme("localhost:8080/llama")).toBe("http://localhost:8080/llama");
    expect(withScheme("gpu-box:8080")).toBe("http://gpu-box:8080");
  });
  it("keeps a URL's own scheme", () => {
    expect(withScheme("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(withScheme("HTTPS://api.anthropic.com")).toBe("HTTPS://api.anthropic.com");
  });
});
