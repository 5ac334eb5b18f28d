// A small mutation scorer: each mutant flips one operator of the source file, the agent's tests run
// against it, and a mutant is killed when they fail. Prints one line per mutant, then score=<killed/total>.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const [source, ...testFiles] = process.argv.slice(2);
const original = readFileSync(source, "utf8");
const SWAPS = {
  "<=": "<", ">=": ">", "<": "<=", ">": ">=", "===": "!==", "!==": "===", "&&": "||", "||": "&&",
  "+": "-", "-": "+", "Math.min": "Math.max", "Math.max": "Math.min", true: "false", false: "true",
};
// `=>` is matched so that it is skipped, never read as `=` and `>`.
const TOKEN = /=>|<=|>=|===|!==|&&|\|\||<|>|\+|-|Math\.min|Math\.max|\btrue\b|\bfalse\b/g;

const mutants = [];
let offset = 0;
for (const line of original.split("\n")) {
  const code = line.trim();
  const comment = code.startsWith("//") || code.startsWith("*") || code.startsWith("/*");
  const strings = [...line.matchAll(/"[^"]*"|'[^']*'|`[^`]*`/g)].map((m) => [m.index, m.index + m[0].length]);
  if (!comment)
    for (const match of line.matchAll(TOKEN)) {
      if (match[0] === "=>" || strings.some(([from, to]) => match.index >= from && match.index < to)) continue;
      const at = offset + match.index;
      mutants.push({
        label: `${source}:${original.slice(0, at).split("\n").length}: ${match[0]} → ${SWAPS[match[0]]}`,
        text: original.slice(0, at) + SWAPS[match[0]] + original.slice(at + match[0].length),
      });
    }
  offset += line.length + 1;
}

const IMPORT_ALL =
  'import { pathToFileURL } from "node:url"; for (const file of process.argv.slice(1)) await import(pathToFileURL(file));';
let killed = 0;
try {
  for (const mutant of mutants) {
    writeFileSync(source, mutant.text);
    // One process per mutant, the test files imported into it (node:test then runs them in-process and
    // fails the exit code); `node --test` would start a second process per file.
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", IMPORT_ALL, ...testFiles], {
      stdio: "ignore",
      timeout: 20_000,
    });
    const caught = run.status !== 0;
    if (caught) killed++;
    console.log(`${caught ? "killed  " : "survived"} ${mutant.label}`);
  }
} finally {
  writeFileSync(source, original);
}
console.log(`score=${mutants.length ? killed / mutants.length : 0}`);
