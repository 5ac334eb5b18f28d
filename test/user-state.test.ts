import { homedir } from "node:os";
import { expect, it } from "vitest";
import { defaultConfigPath, defaultStoreFile, defaultTurnsFile } from "../src/util/paths.js";

// The suite's global setup points state and config at a scratch directory, so `npm test` leaves the
// user's own turn records, store and config as they were.
it("tests write no turn record, store or config into the user's own directories", () => {
  for (const path of [defaultTurnsFile(), defaultStoreFile(), defaultConfigPath()]) {
    expect(path.startsWith(homedir())).toBe(false);
  }
});
