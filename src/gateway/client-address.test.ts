import { request as httpRequest } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CountingGateway, startCountingGateway } from "../../test/support/counting-gateway.js";
import { FIXTURES, fixtureRequests, replayHeaders } from "../../test/support/fixtures.js";

// Goose 1.52.0's first tool turn, as recorded (test/fixtures/goose): `agent-session-id: 20261206_1`, an id
// every Goose install gives its first session of the day.
const [, gooseTurn] = fixtureRequests("tool-session", join(FIXTURES, "goose", "goose-1.52.0", "anthropic"));

describe("a session id unique on one machine only, through the gateway", () => {
  let counting: CountingGateway;
  /** The address each next client connection appears to come from (undefined: its own, loopback). */
  const addresses: Array<string | undefined> = [];
  beforeAll(async () => {
    counting = await startCountingGateway();
    // Tests bind to loopback: a connection is given another machine's address as it is accepted, before
    // the gateway reads anything from it.
    counting.gateway.server.prependListener("connection", (socket: Socket) => {
      const address = addresses.shift();
      if (address) Object.defineProperty(socket, "remoteAddress", { value: address });
    });
  });
  afterAll(() => counting?.close());

  /** Sends Goose's turn on a connection of its own, from `address`. */
  const send = (address: string | undefined) =>
    new Promise<number>((resolve, reject) => {
      addresses.push(address);
      const turn = gooseTurn as NonNullable<typeof gooseTurn>;
      const bytes = Buffer.from(JSON.stringify(turn.body));
      const outgoing = httpRequest(
        `${counting.gateway.url}/v1/messages`,
        { method: "POST", agent: false, headers: { ...replayHeaders(turn), "content-length": bytes.length } },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on("error", reject);
      outgoing.end(bytes);
    });

  it("keeps two machines' Goose sessions apart, and this machine's as Goose named it", async () => {
    for (const address of ["10.0.0.7", "::ffff:10.0.0.8", undefined, "10.0.0.7"]) expect(await send(address)).toBe(200);
    const sessions = counting.gateway.recorder.all().map((turn) => turn.sessionId);
    expect(sessions).toEqual(["20261206_1@10.0.0.7", "20261206_1@10.0.0.8", "20261206_1", "20261206_1@10.0.0.7"]);
  });
});
