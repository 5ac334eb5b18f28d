import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerProbe } from "./probe-routes.js";

describe("probe routes", () => {
  let url: string;
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (answerProbe(request.method ?? "GET", path, response)) return;
    response.writeHead(418).end("not a probe");
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ["HEAD", "/api/hello"],
    ["GET", "/api/hello"],
    ["HEAD", "/"],
  ])("answers %s %s 200 with no body", async (method, path) => {
    const response = await fetch(`${url}${path}`, { method });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it.each([
    ["POST", "/api/hello"],
    ["GET", "/"],
    ["HEAD", "/api/hello/more"],
  ])("leaves %s %s to the other routes", async (method, path) => {
    expect((await fetch(`${url}${path}`, { method })).status).toBe(418);
  });
});
