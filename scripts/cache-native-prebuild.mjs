// Run by `npm install` (the `prepare` script): keeps better-sqlite3's compiled module where its
// installer, prebuild-install, looks for a downloaded prebuild before it downloads one (npm's cache,
// `_prebuilds/`, named by the download URL: package version, Node ABI, platform, libc, architecture).
// Its download needs GitHub; where that is out of reach (as on the test machines) every fresh install
// compiled SQLite from source, about 70 s. With this, only the first install on a machine does.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

function main() {
  let packageDirectory;
  try {
    packageDirectory = dirname(require.resolve("better-sqlite3/package.json"));
  } catch {
    return; // not installed (a production install without it): nothing to keep
  }
  const built = join(packageDirectory, "build", "Release", "better_sqlite3.node");
  if (!existsSync(built)) return;
  const prebuildRequire = createRequire(join(packageDirectory, "package.json"));
  const pkg = prebuildRequire("./package.json");
  const rc = prebuildRequire("prebuild-install/rc")(pkg);
  const util = prebuildRequire("prebuild-install/util");
  const target = util.cachedPrebuild(util.getDownloadUrl({ ...rc, pkg }));
  if (existsSync(target)) return;
  // Only a module that loads and runs is worth keeping.
  const Database = require("better-sqlite3");
  new Database(":memory:").prepare("select 1").get();
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  execFileSync("tar", ["-czf", temporary, "-C", packageDirectory, "build/Release/better_sqlite3.node"]);
  renameSync(temporary, target);
  console.log(`kept better-sqlite3's compiled module for later installs: ${target}`);
}

try {
  main();
} catch (error) {
  // A cache that could not be written costs the next install a compile, nothing else.
  console.warn(`could not keep better-sqlite3's compiled module: ${error.message}`);
}
