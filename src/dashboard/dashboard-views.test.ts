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
  it("gives each slot's lane as its session and lane name, session ids with slashes included", async () => {
    const scheduler = new SlotScheduler(3);
    const main = await scheduler.acquire({ sessionId: "a/b-session", name: "main", kind: "main" });
    const side = await scheduler.acquire({ sessionId: "other", name: "side", kind: "side" });
    side.release();
    const view = toBackendView(backendWith(scheduler.snapshot()));
    expect(view.slots).toEqual([
      {
        slot: 0,
        busy: true,
        sessionId: "a/b-session",
        laneName: "main",
        laneKind: "main",
        model: null,
        inRamCache: false,
      },
      { slot: 1, busy: false, sessionId: "other", laneName: "side", laneKind: "side", model: null, inRamCache: false },
      { slot: 2, busy: false, sessionId: null, laneName: null, laneKind: null, model: null, inRamCache: false },
    ]);
    main.release();
  });

  it("says which slot's prompt waits in the RAM cache", () => {
    const lane = { sessionId: "s", name: "main", kind: "main" } as const;
    const view = toBackendView(backendWith([{ slot: 0, lane, busy: false, inRamCache: true }]));
    expect(view.slots?.[0]).toMatchObject({ sessionId: "s", inRamCache: true });
  });

  it("has no slots for a cloud, and hides its URL", () => {
    const view = toBackendView(backendWith(undefined, false));
    expect(view.slots).toBeNull();
    expect(view.url).toBeUndefined();
  });
});
