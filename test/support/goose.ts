import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDirectory } from "../../src/util/paths.js";
import { binaryFromNpm } from "./npm-binary.js";
import { runProgram } from "./run-program.js";

/** A Goose release: the version of the npm package holding the binary, and the Goose version it prints. */
export interface GooseRelease {
  readonly package: string;
  readonly goose: string;
}

/**
 * The Goose release the tests run: the CLI binary the Agentic AI Foundation publishes on the npm registry
 * as `@aaif/goose-binary-<platform>-<arch>` (the optional dependencies of `@aaif/goose-sdk`). Only the
 * binary is fetched, not the SDK, whose dependencies the tests do not need.
 */
export const GOOSE_RELEASE: GooseRelease = { package: "1.52.0", goose: "1.52.0" };

/**
 * An earlier release, still run by the tests because it writes a note into every request, each time in a
 * new place (its MOIM, src/sessions/turn-note.ts); GOOSE_RELEASE writes its turn context once per turn and
 * leaves it where it is.
 */
export const GOOSE_NOTE_RELEASE: GooseRelease = { package: "0.20.2", goose: "1.37.0" };

/** The `goose` binary, fetched with `npm pack` on first use and kept in the cache by version (~290 MB). */
export function gooseBinary(release: GooseRelease = GOOSE_RELEASE): Promise<string> {
  return binaryFromNpm({
    spec: `@aaif/goose-binary-${process.platform}-${process.arch}@${release.package}`,
    directory: join(cacheDirectory(), "goose", release.package),
    member: "package/bin/goose",
    version: release.goose,
  });
}

/** Which of Goose's providers points at Switchyard: its Anthropic one or its OpenAI one. */
export type GooseProvider = "anthropic" | "openai";

/**
 * Goose's environment with one provider at Switchyard (or any endpoint at `url`): `ANTHROPIC_HOST` or
 * `OPENAI_HOST`, as Goose's docs name them, and its config and data under `home`. Tools run without
 * asking (`GOOSE_MODE=auto`); no keyring, no telemetry.
 */
export function gooseEnvironment(home: string, url: string, provider: GooseProvider): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    TERM: "dumb",
    NO_COLOR: "1",
    GOOSE_PROVIDER: provider,
    GOOSE_MODE: "auto",
    GOOSE_DISABLE_KEYRING: "1",
    GOOSE_TELEMETRY_ENABLED: "false",
    ...(provider === "anthropic"
      ? { GOOSE_MODEL: "claude-sonnet-4-5", ANTHROPIC_HOST: url, ANTHROPIC_API_KEY: "switchyard-test" }
      : { GOOSE_MODEL: "local", OPENAI_HOST: url, OPENAI_API_KEY: "switchyard-test" }),
  };
}

/**
 * Runs the real Goose CLI in a root made by gooseSandbox, stdin closed, killed after a while; `extra` is
 * laid over its environment.
 */
export async function runGoose(
  root: string,
  gatewayUrl: string,
  provider: GooseProvider,
  args: string[],
  { extra = {}, release = GOOSE_RELEASE }: { extra?: NodeJS.ProcessEnv; release?: GooseRelease } = {},
) {
  const env = { ...gooseEnvironment(join(root, "home"), gatewayUrl, provider), ...extra };
  return runProgram(await gooseBinary(release), args, { cwd: join(root, "work"), env, timeoutMs: 240_000 });
}

/** A scratch root for one Goose: its HOME and a working directory. */
export function gooseSandbox(): string {
  const root = mkdtempSync(join(tmpdir(), "switchyard-goose-"));
  for (const directory of ["home", "work"]) mkdirSync(join(root, directory), { recursive: true });
  return root;
}
