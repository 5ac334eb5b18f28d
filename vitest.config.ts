import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts"],
    // Builds llama-server (cached) and the test model once, before any test runs.
    globalSetup: ["test/global-setup.ts"],
    // Generous: replaying whole recorded sessions on 2 shared cores can take minutes; a hang still ends.
    testTimeout: 300_000,
    hookTimeout: 180_000,
    // Two cores: integration tests each start a llama-server; keep them from starving each other.
    maxWorkers: 2,
  },
});
