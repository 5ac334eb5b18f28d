import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { defaultConfigPath } from "../../util/paths.js";

/** A new gateway key: `sy-` and 32 random bytes in base64url (46 characters; 32 are required beyond loopback). */
export function generateGatewayKey(): string {
  return `sy-${randomBytes(32).toString("base64url")}`;
}

export function registerKeyCommand(program: Command): void {
  program
    .command("key")
    .description("print a new random API key for the gateway, and where to put it")
    .action(() => {
      const key = generateGatewayKey();
      const configPath = program.opts<{ config?: string }>().config ?? defaultConfigPath();
      // The key alone on stdout (for `$(switchyard key)`); how to use it on stderr.
      console.log(key);
      process.stderr.write(`
Clients must send this key (x-api-key or Authorization: Bearer). Give it to the gateway either way:
  export SWITCHYARD_API_KEY=${key}
or in ${configPath}:
  { "gateway": { "apiKey": "${key}" } }
Keep the file private (chmod 600). \`switchyard code\` and \`switchyard env\` read the key from there too.
`);
    });
}
