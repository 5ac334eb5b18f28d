import { describe, expect, it } from "vitest";
import { routePath } from "./gateway-server.js";

describe("routePath", () => {
  it("reads a doubled or trailing slash as the route it means", () => {
    expect(routePath("//v1/messages")).toBe("/v1/messages");
    expect(routePath("/v1//messages/count_tokens")).toBe("/v1/messages/count_tokens");
    expect(routePath("/v1/messages/")).toBe("/v1/messages");
    expect(routePath("//v1/chat/completions?x=1")).toBe("/v1/chat/completions");
  });
  it("leaves every other path as it is", () => {
    expect(routePath("/")).toBe("/");
    expect(routePath(undefined)).toBe("/");
    expect(routePath("/v1/messages?beta=true")).toBe("/v1/messages");
    expect(routePath("/dashboard/static/app.js")).toBe("/dashboard/static/app.js");
  });
});
