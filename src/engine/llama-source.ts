import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { npmPack } from "../util/npm-pack.js";
import { cacheDirectory } from "../util/paths.js";
import { runCommand } from "../util/run-command.js";

/**
 * The llama.cpp source comes from the npm package node-llama-cpp, which ships it as a git bundle. We
 * fetch the tarball with `npm pack` rather than depending on the package: installed, it pulls ~700 MB of
 * prebuilt binaries we never use.
 */
export const NODE_LLAMA_CPP_VERSION = "3.22.1";

export interface LlamaSource {
  /** The llama.cpp release tag recorded in the package (llama/llama.cpp.info.json). */
  tag: string;
  /** A checked-out llama.cpp tree: sources, models/ggml-vocab-*.gguf, models/templates/*.jinja. */
  directory: string;
}

export type Report = (message: string) => void;

async function mustRun(program: string, args: string[], cwd?: string): Promise<string> {
  const result = await runCommand(program, args, { cwd, timeoutMs: 600_000, ownGroup: true });
  if (result.code !== 0) {
    throw new Error(`${program} ${args.join(" ")} failed (exit ${result.code}):\n${result.stderr.trim()}`);
  }
  return result.stdout;
}

function packageDirectory(): string {
  return join(cacheDirectory(), `node-llama-cpp-${NODE_LLAMA_CPP_VERSION}`);
}

/** Fetches and unpacks the bundle and its info file, once per version. */
async function ensurePackage(report: Report): Promise<string> {
  const directory = packageDirectory();
  const info = join(directory, "package", "llama", "llama.cpp.info.json");
  if (existsSync(info)) return directory;
  report(`fetching node-llama-cpp@${NODE_LLAMA_CPP_VERSION} from the npm registry (llama.cpp source bundle)`);
  const staging = `${directory}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const tarball = await npmPack(`node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`, staging);
  await mustRun("tar", [
    "xzf",
    tarball,
    "-C",
    staging,
    "package/llama/gitRelease.bundle",
    "package/llama/llama.cpp.info.json",
  ]);
  rmSync(tarball);
  rmSync(directory, { recursive: true, force: true });
  renameSync(staging, directory);
  return directory;
}

/** Returns a checked-out llama.cpp tree for the pinned package, cloning it from the bundle if needed. */
export async function ensureLlamaSource(report: Report = () => {}): Promise<LlamaSource> {
  const packageRoot = await ensurePackage(report);
  const llama = join(packageRoot, "package", "llama");
  const { tag } = JSON.parse(readFileSync(join(llama, "llama.cpp.info.json"), "utf8")) as { tag: string };
  const directory = join(cacheDirectory(), "llama.cpp", tag, "source");
  if (existsSync(join(directory, "CMakeLists.txt"))) return { tag, directory };
  report(`unpacking llama.cpp ${tag} source from the bundle`);
  const staging = `${directory}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(directory, ".."), { recursive: true });
  await mustRun("git", ["clone", "--quiet", join(llama, "gitRelease.bundle"), staging]);
  rmSync(directory, { recursive: true, force: true });
  renameSync(staging, directory);
  return { tag, directory };
}
