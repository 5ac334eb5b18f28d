import { defineConfig } from "vitest/config";

/**
 * Two projects. `unit`: the tests beside the code, no engine (`npm run test:unit`, under a minute).
 * `integration`: the cross-module tests under test/ and the `*.engine.test.ts` beside the code, against
 * the real llama-server, the llama.cpp source and a real test model, built once before any test runs.
 * `npm test` runs both.
 */
export default defineConfig({
  test: {
    // Generous: replaying whole recorded sessions on 2 shared cores can take minutes; a hang still ends.
    testTimeout: 300_000,
    hookTimeout: 180_000,
    // Two cores: integration tests each start a llama-server; keep them from starving each other.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "test/support/**/*.test.ts"],
          exclude: ["**/*.engine.test.ts"],
          globalSetup: ["test/state-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts", "src/**/*.engine.test.ts", "scripts/**/*.engine.test.ts"],
          exclude: ["test/support/**"],
          globalSetup: ["test/global-setup.ts"],
        },
      },
    ],
  },
});
