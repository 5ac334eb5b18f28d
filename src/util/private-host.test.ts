import { describe, expect, it } from "vitest";
import { isPrivateHost } from "./private-host.js";

describe("isPrivateHost", () => {
  it("takes this machine and the LAN", () => {
    for (const url of [
      "http://127.0.0.1:1234",
      "http://localhost:8080/v1",
      "http://[::1]:8000",
      "http://192.168.1.20:1234",
      "http://10.0.0.5",
      "http://172.20.0.2:8080",
      "http://gpu-box:8080",
      "http://studio.local:1234",
      "http://[fd12::1]:80",
    ])
      expect(isPrivateHost(url), url).toBe(true);
  });
  it("not the internet", () => {
    for (const url of ["https://openrouter.ai/api/v1", "http://8.8.8.8", "http://172.32.0.1", "http://[2001:db8::1]"])
      expect(isPrivateHost(url), url).toBe(false);
  });
});
