import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A task folder written on the fly, for the harness's own tests (flaky, hanging, noisy scorers): files
 * maps a path inside the task folder to its content. Returns the suite folder and the task's folder.
 */
export function makeTestTask(name: string, files: Record<string, string>): { suite: string; task: string } {
  const suite = mkdtempSync(join(tmpdir(), "switchyard-eval-test-"));
  const task = join(suite, name);
  mkdirSync(join(task, "repo"), { recursive: true });
  mkdirSync(join(task, "tests"), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(task, path)), { recursive: true });
    writeFileSync(join(task, path), content);
  }
  return { suite, task };
}
