/**
 * Which agent sent a request, by name and version, for people reading the dashboard and reports: "Claude
 * Code 2.1.197", "Codex 0.171.0". Read from the `user-agent` each client sends (the recordings in
 * test/fixtures hold them), Goose by its session header (it sends no user-agent); another client by its
 * user-agent up to its first comment. Never used to route or to tell sessions apart.
 */

/** A known client's `user-agent` product (`name/version`) and the name shown for it. */
const KNOWN_PRODUCTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^claude-cli$/i, "Claude Code"],
  // codex_exec (`codex exec`), codex_cli_rs (the TUI), codex_vscode, …
  [/^codex_[a-z_]+$/i, "Codex"],
  [/^opencode$/i, "opencode"],
  [/^pi$/i, "pi"],
  [/^qwencode$/i, "Qwen Code"],
  [/^goose$/i, "Goose"],
  [/^crush$/i, "Crush"],
];

/** The first `product/version` of a user-agent. */
const PRODUCT = /^([A-Za-z][\w.+-]*)(?:\/([\w.+-]+))?/;
/** What a name may hold: it ends up in a page and a database, never trusted. */
const PRINTABLE = /^[\x20-\x7e]{1,60}$/;

const known = new Map<string, string | undefined>();

function fromUserAgent(userAgent: string): string | undefined {
  const match = PRODUCT.exec(userAgent.trim());
  if (!match) return undefined;
  const [, product = "", version] = match;
  const name = KNOWN_PRODUCTS.find(([pattern]) => pattern.test(product))?.[1];
  // Another client as it calls itself, up to its first comment: "curl/8.5.0", "OpenAI/JS 6.26.0".
  const shown = name ? (version ? `${name} ${version}` : name) : (userAgent.split("(")[0] ?? "").trim();
  return PRINTABLE.test(shown) ? shown : undefined;
}

/** The client that sent a request, from its (lower-cased) headers; undefined when nothing names it. */
export function clientName(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const userAgent = headers["user-agent"];
  if (userAgent) {
    // A client sends the same user-agent on every request: each is read once.
    if (!known.has(userAgent)) {
      if (known.size >= 256) known.clear();
      known.set(userAgent, fromUserAgent(userAgent));
    }
    const name = known.get(userAgent);
    if (name) return name;
  }
  return headers["agent-session-id"] ? "Goose" : undefined;
}

/** A client name read back from disk or a database, of any version: only a short printable string counts. */
export const readClientName = (value: unknown): string | undefined =>
  typeof value === "string" && PRINTABLE.test(value) ? value : undefined;
