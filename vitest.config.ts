import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/** Test files run at once. Integration tests each start a llama-server; more would starve each other. */
const WORKERS = 2;

/**
 * The threads of every llama-server a test starts, given through llama.cpp's own `LLAMA_ARG_THREADS`
 * (its argument parser reads it before the command line, so a test's explicit `--threads` still wins):
 * the machine's cores shared among the workers, unless set already. Left to itself, each engine takes
 * every core, and two engines whose threads meet at a barrier after each step wait out each other's
 * time slices. Measured on the 2-core CI machine: two 23k-token prefills side by side took 12.3 and
 * 12.7 s each with 2 threads, 6.1 s each with 1 (one alone with 2 threads: 3.9 s); six of the heaviest
 * integration files (fixture-replay, bench-replay, the Claude Code and pi tool-call e2e, malformed
 * tool calls, cache records) 251 s → 142 s, all passing.
 */
const engineThreads =
  process.env.LLAMA_ARG_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / WORKERS)));

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
    maxWorkers: WORKERS,
    env: { LLAMA_ARG_THREADS: engineThreads },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // One module graph per worker, not per file: the unit files import much of src/, and importing
          // it again for each of the 122 files was half the run. Measured on the 2-core test machine:
          // `npm run test:unit` 52–61 s isolated, 28–34 s not, every file passing in the default order
          // and in four shuffled ones (`--sequence.shuffle.files`). It holds while no unit test changes
          // what the next file sees: no mocked module, replaced global, written environment or changed
          // directory (test/support/unit-project.test.ts checks).
          isolate: false,
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
