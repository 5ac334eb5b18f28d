import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { cacheDirectory } from "../util/paths.js";
import { canRun, runCommand } from "../util/run-command.js";
import type { Accelerator } from "./build-flavor.js";
import { detectBuildFlavor } from "./build-flavor.js";
import { type BuildOptions, buildEngine, type EngineBuild } from "./engine-build.js";
import { NODE_LLAMA_CPP_VERSION } from "./llama-source.js";

export interface EngineBinary {
  path: string;
  /** Where it came from: the environment, the config (`--use`), or our own build. */
  origin: "env" | "config" | "build";
}

/** Builds in the cache for the pinned source and this machine's accelerator, newest first. */
function cachedBuilds(accelerator: Accelerator): EngineBuild[] {
  const root = join(cacheDirectory(), "llama.cpp");
  if (!existsSync(root)) return [];
  const builds: EngineBuild[] = [];
  for (const tag of readdirSync(root)) {
    for (const entry of readdirSync(join(root, tag))) {
      const manifest = join(root, tag, entry, "engine.json");
      if (!entry.startsWith("build-") || !existsSync(manifest)) continue;
      const build = JSON.parse(readFileSync(manifest, "utf8")) as EngineBuild;
      if (build.nodeLlamaCppVersion === NODE_LLAMA_CPP_VERSION && build.accelerator === accelerator) {
        builds.push(build);
      }
    }
  }
  return builds.sort((a, b) => b.builtAt.localeCompare(a.builtAt));
}

/** Finds a llama-server without building one. */
export async function locateEngine(config: SwitchyardConfig): Promise<EngineBinary | undefined> {
  const fromEnv = process.env.SWITCHYARD_LLAMA_SERVER;
  if (fromEnv) return { path: resolve(fromEnv), origin: "env" };
  if (config.engine.llamaServer) return { path: resolve(config.engine.llamaServer), origin: "config" };
  const { accelerator } = await detectBuildFlavor();
  for (const build of cachedBuilds(accelerator)) {
    if (existsSync(build.binary) && (await canRun(build.binary))) return { path: build.binary, origin: "build" };
  }
  return undefined;
}

/** Finds a llama-server, building one from the pinned source when there is none. */
export async function ensureEngine(config: SwitchyardConfig, options: BuildOptions = {}): Promise<EngineBinary> {
  const found = options.force ? undefined : await locateEngine(config);
  if (found) return found;
  const build = await buildEngine(options);
  return { path: build.binary, origin: "build" };
}

/** Checks that a user's llama-server starts, and returns its absolute path and version line. */
export async function verifyLlamaServer(path: string): Promise<{ path: string; version: string }> {
  const absolute = isAbsolute(path) ? path : resolve(path);
  if (!existsSync(absolute)) throw new Error(`no such file: ${absolute}`);
  const result = await runCommand(absolute, ["--version"], { timeoutMs: 20_000 }).catch((error: Error) => ({
    code: -1,
    stdout: "",
    stderr: error.message,
  }));
  if (result.code !== 0) {
    throw new Error(`${absolute} --version failed (exit ${result.code}): ${result.stderr.trim().slice(-500)}`);
  }
  const version = `${result.stdout}\n${result.stderr}`.split("\n").find((line) => line.startsWith("version:"));
  return { path: absolute, version: version?.replace(/^version:\s*/, "") ?? "unknown version" };
}
