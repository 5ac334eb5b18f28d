// The build compiles TypeScript only; the dashboard's page, scripts and styles are copied beside the
// compiled dashboard module so `npm start` (dist/) serves the same files as tsx does from src/.
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const target = join(root, "dist", "dashboard", "static");
rmSync(target, { recursive: true, force: true });
cpSync(join(root, "src", "dashboard", "static"), target, { recursive: true });

// The bench's HTML report inlines its page script from beside the compiled bench module, likewise.
const benchTarget = join(root, "dist", "bench", "static");
rmSync(benchTarget, { recursive: true, force: true });
cpSync(join(root, "src", "bench", "static"), benchTarget, { recursive: true });
