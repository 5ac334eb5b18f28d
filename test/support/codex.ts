import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDirectory } from "../../src/util/paths.js";
import { binaryFromNpm } from "./npm-binary.js";
import { runProgram } from "./run-program.js";

/**
 * The Codex CLI release the tests run. Since `wire_api = "chat"` was removed, it speaks only the OpenAI
 * Responses API (`POST {base_url}/responses`).
 */
export const CODEX_VERSION = "0.171.0";

/** The Rust target of Codex's binary for this machine, as its npm packages name their folders. */
function codexTarget(): string {
  const arch = { x64: "x86_64", arm64: "aarch64" }[process.arch as "x64" | "arm64"];
  if (!arch || (process.platform !== "linux" && process.platform !== "darwin"))
    throw new Error(`no Codex binary for ${process.platform}-${process.arch}`);
  return process.platform === "linux" ? `${arch}-unknown-linux-musl` : `${arch}-apple-darwin`;
}

/**
 * The `codex` binary: the platform package OpenAI publishes on the npm registry as
 * `@openai/codex@<version>-<platform>-<arch>` (an optional dependency of `@openai/codex`), fetched with
 * `npm pack` on first use and kept in the cache by version (~320 MB; only the binary is kept).
 */
export function codexBinary(version = CODEX_VERSION): Promise<string> {
  return binaryFromNpm({
    spec: `@openai/codex@${version}-${process.platform}-${process.arch}`,
    directory: join(cacheDirectory(), "codex", version),
    member: `package/vendor/${codexTarget()}/bin/codex`,
    version: `codex-cli ${version}`,
  });
}

/** A scratch root for one Codex: its CODEX_HOME and a working directory. */
export function codexSandbox(): string {
  const root = mkdtempSync(join(tmpdir(), "switchyard-codex-"));
  for (const directory of ["home", "work"]) mkdirSync(join(root, directory), { recursive: true });
  return root;
}

/**
 * `codex exec` with one model provider, Switchyard at `url` (its base URL ends in `/v1`), the way its docs
 * configure a custom provider (`model_providers.<id>` with `base_url`, `wire_api = "responses"`, `env_key`).
 * Commands run without a sandbox or approvals (the tests' scratch directory is theirs), reasoning at
 * `effort`; `provider` adds fields to the provider's table (`stream_idle_timeout_ms=1500`); `args` follow
 * the options (the prompt last). `url` undefined: no provider options, only the sandbox's own
 * `config.toml`.
 */
export function runCodex(
  root: string,
  url: string | undefined,
  args: string[],
  { effort = "medium", provider = "" } = {},
) {
  const sandbox = ["exec", "--skip-git-repo-check", "--sandbox", "danger-full-access"];
  const options = [
    "-c",
    "model_provider=switchyard",
    "-c",
    `model_providers.switchyard={name="Switchyard",base_url="${url}/v1",wire_api="responses",env_key="SWITCHYARD_TEST_KEY"${provider ? `,${provider}` : ""}}`,
    "-c",
    `model_reasoning_effort="${effort}"`,
    "-m",
    "local",
  ];
  const env = {
    PATH: process.env.PATH,
    HOME: join(root, "home"),
    CODEX_HOME: join(root, "home"),
    SWITCHYARD_TEST_KEY: "switchyard-test",
    TERM: "dumb",
    NO_COLOR: "1",
  };
  return codexBinary().then((codex) =>
    runProgram(codex, [...sandbox, ...(url === undefined ? [] : options), ...args], {
      cwd: join(root, "work"),
      env,
      timeoutMs: 240_000,
    }),
  );
}
