import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { canRun, runCommand } from "../util/run-command.js";
import { type Accelerator, BASE_CMAKE_FLAGS, type BuildFlavor, detectBuildFlavor } from "./build-flavor.js";
import { withBuildLock } from "./build-lock.js";
import { parseBuildProgress } from "./build-progress.js";
import { ensureLlamaSource, NODE_LLAMA_CPP_VERSION, type Report } from "./llama-source.js";

export interface EngineBuild {
  binary: string;
  tag: string;
  accelerator: Accelerator;
  cmakeFlags: string[];
  builtAt: string;
  nodeLlamaCppVersion: string;
}

export interface BuildOptions {
  accelerator?: Accelerator;
  jobs?: number;
  force?: boolean;
  report?: Report;
  /** Build progress in percent, as cmake reports it. */
  onProgress?: (percent: number, line: string) => void;
  signal?: AbortSignal;
}

export class MissingToolError extends Error {
  readonly code = "missing_build_tool";
}

function installHint(missing: string[]): string {
  const names = missing.join(", ");
  if (process.platform === "darwin") {
    return `Missing: ${names}. Install them with: xcode-select --install && brew install cmake git`;
  }
  return [
    `Missing: ${names}. Install them with one of:`,
    "  Debian/Ubuntu: sudo apt-get install -y cmake g++ make git",
    "  Fedora:        sudo dnf install -y cmake gcc-c++ make git",
    "  Arch:          sudo pacman -S --needed cmake gcc make git",
    "Or adopt a llama-server you already have: switchyard engine install --use /path/to/llama-server",
  ].join("\n");
}

async function checkToolchain(): Promise<void> {
  const missing: string[] = [];
  if (!(await canRun("cmake"))) missing.push("cmake");
  if (!(await canRun("git"))) missing.push("git");
  const compilers = ["c++", "g++", "clang++"];
  let compiler = false;
  for (const candidate of compilers) if (!compiler && (await canRun(candidate))) compiler = true;
  if (!compiler) missing.push("a C++ compiler (g++ or clang++)");
  if (!(await canRun("make")) && !(await canRun("ninja"))) missing.push("make");
  if (missing.length > 0) throw new MissingToolError(installHint(missing));
}

function buildKey(tag: string, flavor: BuildFlavor): string {
  const flags = [...BASE_CMAKE_FLAGS, ...flavor.cmakeFlags].join(" ");
  const hash = createHash("sha256").update(flags).digest("hex").slice(0, 8);
  return `${tag}-${flavor.accelerator}-${hash}`;
}

const manifestPath = (buildDirectory: string) => join(buildDirectory, "engine.json");

/** A build already in the cache for this tag and flavor, verified to start. */
async function findCachedBuild(sourceRoot: string, key: string): Promise<EngineBuild | undefined> {
  const manifest = manifestPath(join(sourceRoot, "..", `build-${key}`));
  if (!existsSync(manifest)) return undefined;
  const build = JSON.parse(readFileSync(manifest, "utf8")) as EngineBuild;
  return existsSync(build.binary) && (await canRun(build.binary)) ? build : undefined;
}

/** Builds the llama-server target into the per-user cache, or returns the cached build. */
export async function buildEngine(options: BuildOptions = {}): Promise<EngineBuild> {
  const report = options.report ?? (() => {});
  const source = await ensureLlamaSource(report);
  const flavor = await detectBuildFlavor(options.accelerator);
  const key = buildKey(source.tag, flavor);
  const buildDirectory = join(source.directory, "..", `build-${key}`);
  if (!options.force) {
    const cached = await findCachedBuild(source.directory, key);
    if (cached) return cached;
  }
  await checkToolchain();
  return withBuildLock(buildDirectory, report, async (lock) => {
    if (!options.force) {
      const cached = await findCachedBuild(source.directory, key);
      if (cached) return cached;
    }
    const flags = [...BASE_CMAKE_FLAGS, ...flavor.cmakeFlags];
    report(`building llama-server ${source.tag} for ${flavor.accelerator} (${flavor.reason})`);
    report(`build directory: ${buildDirectory}`);
    mkdirSync(buildDirectory, { recursive: true });
    const logPath = join(buildDirectory, "build.log");
    const log = createWriteStream(logPath);
    const tail: string[] = [];
    const onLine = (line: string) => {
      log.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 40) tail.shift();
      const percent = parseBuildProgress(line);
      if (percent !== undefined) options.onProgress?.(percent, line);
    };
    // Each step in a group of its own, ended with this process: make and the compilers of a build whose
    // `serve` or `engine install` was stopped would otherwise run on (until their next write to the closed
    // pipe, 20 s in one check), beside the lock that names a process now gone. A process killed outright
    // ends nothing: the lock names the group, and whoever takes the lock over ends it.
    const step = async (args: string[]) => {
      const result = await runCommand("cmake", args, {
        onLine,
        signal: options.signal,
        ownGroup: true,
        onSpawn: lock.holdsGroup,
      });
      if (result.code !== 0) {
        log.end();
        throw new Error(
          `cmake ${args[0]} ${args[1]} failed (exit ${result.code}). Last lines of ${logPath}:\n${tail.join("\n")}`,
        );
      }
    };
    const jobs = options.jobs ?? Math.max(1, cpus().length);
    await step(["-S", source.directory, "-B", buildDirectory, ...flags]);
    await step(["--build", buildDirectory, "--config", "Release", "--target", "llama-server", "-j", String(jobs)]);
    log.end();
    const binary = join(buildDirectory, "bin", process.platform === "win32" ? "llama-server.exe" : "llama-server");
    if (!(await canRun(binary))) throw new Error(`the build finished but ${binary} does not run`);
    const build: EngineBuild = {
      binary,
      tag: source.tag,
      accelerator: flavor.accelerator,
      cmakeFlags: flags,
      builtAt: new Date().toISOString(),
      nodeLlamaCppVersion: NODE_LLAMA_CPP_VERSION,
    };
    writeFileSync(manifestPath(buildDirectory), `${JSON.stringify(build, null, 2)}\n`);
    return build;
  });
}
