import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const PI_BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "pi");

/**
 * pi's agent directory for one provider: `models.json` with an openai-completions provider at `baseUrl`
 * (see pi's docs/models.md) and `settings.json` with retries off, so a failure shows at once.
 */
export function writePiAgentConfig(
  agentDir: string,
  provider: { name: string; baseUrl: string; apiKey: string; models: unknown[] },
): void {
  const { name, ...fields } = provider;
  writeFileSync(
    join(agentDir, "models.json"),
    JSON.stringify({ providers: { [name]: { ...fields, api: "openai-completions" } } }),
  );
  writeFileSync(join(agentDir, "settings.json"), JSON.stringify({ retry: { enabled: false } }));
}
