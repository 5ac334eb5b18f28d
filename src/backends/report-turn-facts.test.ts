import { describe, expect, it } from "vitest";
import { type CanonicalEvent, emptyUsage } from "../core/canonical.js";
import { SwitchyardError } from "../core/errors.js";
import type { TurnFacts } from "../core/turn-facts.js";
import { reportTurnFacts } from "./report-turn-facts.js";

const start: CanonicalEvent = { type: "message_start", id: "msg_1", model: "m", usage: emptyUsage() };
const end: CanonicalEvent = { type: "done", stopReason: { unified: "end_turn", raw: "stop" }, usage: emptyUsage() };

async function collect(events: AsyncIterable<CanonicalEvent>): Promise<CanonicalEvent[]> {
  const seen: CanonicalEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe("a backend's facts about a turn", () => {
  it("arrive on message_start, as they stood when the upstream answered", async () => {
    const facts: TurnFacts = {};
    async function* backend() {
      facts.slot = 2;
      facts.prefillDeadlineMs = 600_000;
      yield start;
      facts.slot = 3;
      yield end;
    }
    const events = await collect(reportTurnFacts(backend(), facts));
    expect(events[0]).toEqual({ ...start, facts: { slot: 2, prefillDeadlineMs: 600_000 } });
    expect(events[1]).toEqual(end);
  });

  it("arrive on the error when the backend fails before its first event", async () => {
    const facts: TurnFacts = {};
    async function* backend(): AsyncGenerator<CanonicalEvent> {
      facts.prefillDeadlineMs = 600_000;
      const headersCame = false;
      if (!headersCame) throw new SwitchyardError("no headers", { kind: "timeout", code: "prefill_timeout" });
      yield start;
    }
    const thrown = await collect(reportTurnFacts(backend(), facts)).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(SwitchyardError);
    expect(thrown).toMatchObject({ code: "prefill_timeout", status: 504, facts: { prefillDeadlineMs: 600_000 } });
  });

  it("end the backend's request when the reader stops at the first event", async () => {
    let released = false;
    async function* backend() {
      try {
        yield start;
        yield end;
      } finally {
        released = true;
      }
    }
    for await (const _event of reportTurnFacts(backend(), {})) break;
    expect(released).toBe(true);
  });

  it("may open the request at the first read: its failure then carries the facts gathered so far", async () => {
    const facts: TurnFacts = {};
    let opened = 0;
    const open = async (): Promise<AsyncIterable<CanonicalEvent>> => {
      opened++;
      facts.slot = 1;
      throw new SwitchyardError("upstream down", { kind: "upstream", code: "upstream_unreachable" });
    };
    const events = reportTurnFacts(open, facts);
    expect(opened).toBe(0);
    const thrown = await collect(events).catch((error: unknown) => error);
    expect(opened).toBe(1);
    expect(thrown).toMatchObject({ code: "upstream_unreachable", facts: { slot: 1 } });
  });

  it("with an opened request, hands on the events and the facts on message_start", async () => {
    const facts: TurnFacts = {};
    const open = async () => {
      facts.slot = 0;
      return (async function* () {
        yield start;
        yield end;
      })();
    };
    expect(await collect(reportTurnFacts(open, facts))).toEqual([{ ...start, facts: { slot: 0 } }, end]);
  });
});
