import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throw-away HOME and a one-commit git repository for a client to work in. The paths are fixed (under
 * the temp directory, wiped first) so re-recording changes only what the client itself changed.
 */
export interface RecordingSandbox {
  home: string;
  workdir: string;
}

export function freshSandbox(client: string): RecordingSandbox {
  const root = join(tmpdir(), "switchyard-recording", client);
  rmSync(root, { recursive: true, force: true });
  const home = join(root, "home");
  const workdir = join(root, "demo-app");
  mkdirSync(home, { recursive: true });
  mkdirSync(join(workdir, "src"), { recursive: true });
  writeFileSync(join(workdir, "src", "app.js"), 'console.log("hello")\n');
  const git = (...args: string[]) => execFileSync("git", args, { cwd: workdir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.name=Recorder", "-c", "user.email=recorder@example.invalid", "commit", "-qm", "init");
  return { home, workdir };
}

/** The environment every recorded client gets: nothing from the recording machine but PATH. */
export function baseEnvironment(sandbox: RecordingSandbox): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: sandbox.home, SHELL: "/bin/bash", TERM: "dumb", TZ: "UTC" };
}
