import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { matchesAny } from "./glob-match.js";
import { listFiles } from "./task-config.js";

/** The protected files of a working copy before the agent ran: path → bytes. */
export type ProtectedSnapshot = Map<string, Buffer>;

const notGit = (path: string) => path === ".git" || path.startsWith(".git/");

export function snapshotProtected(workDir: string, globs: readonly string[]): ProtectedSnapshot {
  const isProtected = matchesAny(globs);
  const snapshot: ProtectedSnapshot = new Map();
  for (const path of listFiles(workDir, notGit))
    if (isProtected(path)) snapshot.set(path, readFileSync(join(workDir, path)));
  return snapshot;
}

const digest = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** What is at a path now, without following a symlink the agent may have put there (to a folder, say). */
function currentBytes(path: string): Buffer {
  return lstatSync(path).isSymbolicLink() ? Buffer.from(`symlink → ${readlinkSync(path)}`) : readFileSync(path);
}

/**
 * Puts every protected path back as it was and says which the agent touched: `changed X`, `deleted X`,
 * `added X`. Anything listed makes the run `tamper`; the restore still happens, so the scorer judges the
 * starter's tests, never the agent's edits to them.
 */
export function restoreProtected(workDir: string, globs: readonly string[], before: ProtectedSnapshot): string[] {
  const isProtected = matchesAny(globs);
  const touched: string[] = [];
  const now = new Set(listFiles(workDir, notGit).filter(isProtected));
  for (const [path, bytes] of before) {
    const target = join(workDir, path);
    if (!now.has(path)) touched.push(`deleted ${path}`);
    else if (digest(currentBytes(target)) !== digest(bytes)) touched.push(`changed ${path}`);
    else continue;
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  for (const path of now) {
    if (before.has(path)) continue;
    touched.push(`added ${path}`);
    rmSync(join(workDir, path), { force: true });
  }
  return touched;
}

export function workdirExists(workDir: string): boolean {
  return existsSync(workDir);
}
