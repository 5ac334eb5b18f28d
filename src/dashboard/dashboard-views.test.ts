import { describe, expect, it } from "vitest";
import type { Backend, SlotView } from "../backends/backend.js";
import { SlotScheduler } from "../backends/llama-server/slot-scheduler.js";
import { toBackendView } from "./dashboard-views.js";

/** Only what toBackendView reads; the rest of a backend does not matter here. */
function backendWith(slots: SlotView[] | undefined, local = true): Backend {
  return {
    name: "gpu",
    kind: local ? "llama-server" : "anthropic",
    baseUrl: "http://127.0.0.1:8080",
    local,
    slotSnapshot: () => slots,
  } as unknown as Backend;
}

describe("toBackendView", () => {
  it("splits each slot's lane key into the session and the lane, session ids with slashes included", async () => {
    const scheduler = new SlotScheduler(3);
    const main = await scheduler.acquire("a/b-session/main", "main");
    const side = await scheduler.acquire("other/side", "side");
    side.release();
    const view = toBackendView(backendWith(scheduler.snapshot()));
    expect(view.slots).toEqual([
      { slot: 0, lane: "a/b-session/main", laneKind: "main", busy: true, sessionId: "a/b-session", laneName: "main" },
      { slot: 1, lane: "other/side", laneKind: "side", busy: false, sessionId: "other", laneName: "side" },
      { slot: 2, lane: undefined, laneKind: undefined, busy: false, sessionId: null, laneName: null },
    ]);
    main.release();
  });

  it("has no slots for a cloud, and hides its URL", () => {
    const view = toBackendView(backendWith(undefined, false));
    expect(view.slots).toBeNull();
    expect(view.url).toBeUndefined();
  });
});
