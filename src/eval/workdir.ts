import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** Runs git quietly with a fixed identity and no user or system config, so a user's hooks never run. */
export function git(cwd: string, args: string[], input?: string): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync("git", args, {
    cwd,
    input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_AUTHOR_NAME: "switchyard-eval",
      GIT_AUTHOR_EMAIL: "eval@switchyard.invalid",
      GIT_COMMITTER_NAME: "switchyard-eval",
      GIT_COMMITTER_EMAIL: "eval@switchyard.invalid",
      GIT_AUTHOR_DATE: "2000-01-01T00:00:00Z",
      GIT_COMMITTER_DATE: "2000-01-01T00:00:00Z",
    },
  });
  return { ok: result.status === 0, stdout: result.stdout ?? "", stderr: result.stderr ?? result.error?.message ?? "" };
}

/** A home of its own per run: HOME and every XDG folder inside it, so no user config or cache leaks in. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  for (const folder of [".config", ".local/share", ".local/state", ".cache", "tmp"])
    mkdirSync(join(home, folder), { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local/share"),
    XDG_STATE_HOME: join(home, ".local/state"),
    XDG_CACHE_HOME: join(home, ".cache"),
    TMPDIR: join(home, "tmp"),
    LANG: "C.UTF-8",
    ...extra,
  };
}

/**
 * The fresh working copy: `repo/` copied and committed once, so the agent finds no history to mine (no
 * earlier commits, no solution branch, no reflog of the task's making). Returns the commit's hash.
 */
export function copyStarter(repoDir: string, workDir: string): void {
  cpSync(repoDir, workDir, { recursive: true, filter: (source) => !/[/\\]\.git$/.test(source) });
}

/** Commits the copy once (after any setup), so the agent's diff is measured against exactly this. */
export function commitStarter(workDir: string): string {
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["add", "-A"],
    ["commit", "-q", "--no-verify", "--allow-empty", "-m", "starter"],
  ]) {
    const result = git(workDir, args);
    if (!result.ok) throw new Error(`git ${args[0]}: ${result.stderr.trim()}`);
  }
  return git(workDir, ["rev-parse", "HEAD"]).stdout.trim();
}

/** Everything the agent changed against the starter commit, binary-safe; empty when `.git` is gone. */
export function diffAgainst(workDir: string, base: string): string {
  if (!git(workDir, ["add", "-A"]).ok) return "";
  return git(workDir, ["diff", "--cached", "--binary", base]).stdout;
}
