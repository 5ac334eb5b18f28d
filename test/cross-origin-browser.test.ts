import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedChat, startCountingGateway } from "./support/counting-gateway.js";

const CHROMIUM = "/usr/bin/chromium";

/** What the gateway answered, seen from its side (a page cannot read a cross-origin status). */
interface Answered {
  method: string;
  path: string;
  origin: string | undefined;
  status: number;
}

/**
 * A web page on another origin (another loopback port) trying to drive a keyless gateway, in a real
 * Chromium: `fetch` with `text/plain` is a CORS simple request that is sent without a preflight; `fetch`
 * with JSON is preflighted. Both must be refused, and the backend must hear nothing.
 */
describe("a page from another origin, in Chromium (Debian chromium; scripts/ensure-system-packages.sh installs it)", () => {
  let counting: Awaited<ReturnType<typeof startCountingGateway>>;
  let page: Server;
  let pageUrl: string;
  let browser: Browser;
  const answered: Answered[] = [];

  beforeAll(async () => {
    counting = await startCountingGateway();
    counting.gateway.server.on("request", (request, response) => {
      response.once("finish", () =>
        answered.push({
          method: request.method ?? "",
          path: request.url ?? "",
          origin: request.headers.origin,
          status: response.statusCode,
        }),
      );
    });
    page = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<!doctype html><title>another site</title>");
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => page?.close(resolve));
    await counting?.close();
  });

  it("gets 403 for fetch with text/plain and with JSON, and the backend receives no request", async () => {
    const tab = await browser.newPage();
    await tab.goto(pageUrl);
    const outcomes = await tab.evaluate(
      async ({ gateway, body }) => {
        const attempt = async (contentType: string) => {
          try {
            const response = await fetch(`${gateway}/v1/messages`, {
              method: "POST",
              headers: { "content-type": contentType },
              body,
            });
            return `status ${response.status}`;
          } catch (error) {
            return `failed: ${(error as Error).name}`;
          }
        };
        return [await attempt("text/plain"), await attempt("application/json")];
      },
      { gateway: counting.gateway.url, body: JSON.stringify(countedChat) },
    );
    await tab.close();
    // The browser hides a refused cross-origin answer from the page either way.
    expect(outcomes).toEqual(["failed: TypeError", "failed: TypeError"]);
    const origin = new URL(pageUrl).origin;
    const fromPage = answered.filter((answer) => answer.origin === origin);
    // text/plain: the POST itself (no preflight). JSON: its preflight, after which the POST is never sent.
    expect(fromPage.map((answer) => [answer.method, answer.path, answer.status])).toEqual([
      ["POST", "/v1/messages", 403],
      ["OPTIONS", "/v1/messages", 403],
    ]);
    expect(counting.generations()).toBe(0);

    // The same request without a browser's Origin does reach the backend: the counter counts.
    const direct = await fetch(`${counting.gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(countedChat),
    });
    expect(direct.status).toBe(200);
    expect(counting.generations()).toBe(1);
  });
});
