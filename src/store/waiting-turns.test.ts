import { describe, expect, it } from "vitest";
import { syntheticTurn } from "../../test/support/synthetic-turns.js";
import { MAX_QUEUED, WaitingTurns } from "./waiting-turns.js";

describe("WaitingTurns", () => {
  it("keeps the newest MAX_QUEUED turns while the database refuses them, and says how many went", () => {
    const said: string[] = [];
    const queue = new WaitingTurns("turns.db", 1_000, (message) => said.push(message));
    for (let index = 0; index < 10; index++) queue.push(syntheticTurn(index));
    queue.refused(queue.take(), new Error("database or disk is full"));
    for (let index = 10; index < MAX_QUEUED + 5; index++) queue.push(syntheticTurn(index));
    expect(queue.length).toBe(MAX_QUEUED);
    const batch = queue.take();
    expect(batch[0]?.id).toBe(syntheticTurn(5).id);
    expect(batch.at(-1)?.id).toBe(syntheticTurn(MAX_QUEUED + 4).id);
    queue.written(batch);
    expect(said).toEqual([
      "cannot write 10 turn(s) to turns.db: database or disk is full; keeping up to 50000 in memory and trying again every 1 s (said again once it works)",
      expect.stringMatching(
        /^wrote the 50000 turn\(s\) kept while turns\.db could not be written \(\d+ s, 1 failed attempt\(s\)\); 5 older turn\(s\) did not fit in memory and are lost$/,
      ),
    ]);
  });
});
