import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configPermissionWarning } from "./config-permissions.js";

describe("configPermissionWarning", () => {
  const file = (text: string, mode: number) => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-perm-")), "config.json");
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };
  const withKey = JSON.stringify({ backends: [{ name: "c", type: "anthropic", url: "https://x", apiKey: "k" }] });

  it("warns when a file holding keys is readable by group or others, naming chmod 600", () => {
    for (const mode of [0o644, 0o640, 0o604]) {
      const path = file(withKey, mode);
      expect(configPermissionWarning(path)).toBe(
        `warning: ${path} holds API keys and is readable by group or others (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
      );
    }
  });

  it("says nothing for a private file, a file without keys, a missing file, or on Windows", () => {
    expect(configPermissionWarning(file(withKey, 0o600))).toBeUndefined();
    expect(configPermissionWarning(file("{}", 0o644))).toBeUndefined();
    expect(configPermissionWarning("/nonexistent/config.json")).toBeUndefined();
    expect(configPermissionWarning(file(withKey, 0o644), "win32")).toBeUndefined();
  });
});
