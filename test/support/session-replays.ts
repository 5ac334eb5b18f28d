import { afterAll, beforeAll, describe, it } from "vitest";
import { type FixtureRequest, fixtureRequests, recordedSessions } from "./fixtures.js";
import { startTestGateway } from "./test-gateway.js";

/**
 * One test per recorded session under `roots`, each with its own Switchyard on the real llama-server: every
 * request of the session, in order, goes through `check` (which sends it and judges the answer).
 */
export function describeSessionReplays(
  roots: readonly string[],
  check: (gatewayUrl: string, request: FixtureRequest, label: string) => Promise<void>,
): void {
  describe.each(recordedSessions(roots))("replaying $label through Switchyard", ({ label, root, session }) => {
    let gateway: Awaited<ReturnType<typeof startTestGateway>>;
    beforeAll(async () => {
      gateway = await startTestGateway();
    });
    afterAll(async () => {
      await gateway?.close();
    });

    it("serves every recorded request", async () => {
      for (const request of fixtureRequests(session, root))
        await check(gateway.url, request, `${label}/${request.file}`);
    });
  });
}
