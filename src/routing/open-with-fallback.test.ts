import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../test/support/canonical-request.js";
import type { Backend } from "../backends/backend.js";
import { prepareLocalContent } from "../backends/prepare-local-content.js";
import type { CanonicalEvent } from "../core/canonical.js";
import { emptyUsage } from "../core/canonical.js";
import { BackendCooldowns } from "./backend-cooldown.js";
import type { Route } from "./model-router.js";
import { openWithFallback } from "./open-with-fallback.js";
import type { RoutingRecord } from "./routing-record.js";

const route = (name: string): Route => ({ backend: { name } as Backend, model: name, reason: "test" });
const record = (): RoutingRecord => ({ rule: "test", reason: "test", sticky: false, mode: "local" }) as RoutingRecord;

/** A request whose newest turn holds a PDF by URL: no local model can read it. */
const request = canonicalRequest({
  messages: [
    {
      role: "user",
      parts: [{ type: "opaque", blockType: "document", raw: { type: "document", source: { type: "url", url: "u" } } }],
    },
  ],
});

async function* open(chosen: Route): AsyncGenerator<CanonicalEvent> {
  if (chosen.backend.name === "local") await prepareLocalContent(request, "local");
  yield { type: "message_start", id: "msg", model: chosen.model, usage: emptyUsage() };
}

describe("openWithFallback: a block the local backend cannot read", () => {
  it("moves to the next backend of the chain, without cooling the local one down", async () => {
    const cooldowns = new BackendCooldowns(1000, 60_000);
    const routing = record();
    const opened = await openWithFallback(
      [route("local"), route("cloud")],
      open,
      cooldowns,
      new AbortController().signal,
      routing,
      () => undefined,
    );
    expect(opened.route.backend.name).toBe("cloud");
    expect(routing.fallback).toEqual([
      {
        backend: "local",
        code: "unsupported_content",
        message:
          "messages.0.content.0: document blocks with PDF data (by url) are not supported by the local backend 'local'",
      },
    ]);
    expect(cooldowns.remainingMs("local")).toBe(0);
  });

  it("is the client's 400, naming the block, when no other backend can take it", async () => {
    await expect(
      openWithFallback(
        [route("local")],
        open,
        new BackendCooldowns(1000, 60_000),
        new AbortController().signal,
        record(),
        () => undefined,
      ),
    ).rejects.toMatchObject({ status: 400, code: "unsupported_content" });
  });
});
