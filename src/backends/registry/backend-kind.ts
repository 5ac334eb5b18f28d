import { z } from "zod";
import type { Backend } from "../backend.js";
import type { LlamaServerCompat } from "../llama-server/llama-server-compat.js";
import type { SlotBookFactory } from "../llama-server/slot-scheduler.js";

/**
 * What each backend adapter does, as data: the conformance suite (test/conformance/) checks each flag
 * against the adapter, and the README's backend table is rendered from the same flags (a test keeps
 * them equal), so neither can claim what the other does not.
 */
export interface BackendCapabilities {
  label: string;
  streaming: boolean;
  /** Tool definitions go upstream and streamed tool calls come back with parsed input. */
  tools: boolean;
  /** Thinking is switched per request and streamed back as thinking blocks. */
  thinking: boolean;
  /**
   * How reused prefix-cache tokens are reported: `always` (llama-server's timings), when the API sends
   * the usage fields (clouds), or only when the server runs with a flag. Otherwise the turn record says
   * unknown rather than 0.
   */
  cacheReporting: "always" | "when-sent" | "never" | { flag: string };
  /** count_tokens is the backend's own count (template and tokenizer), not an estimate. */
  exactCounts: boolean;
}

/** What every backend is built with besides its config entry. */
export interface BackendContext {
  /** `client` follows the client's thinking setting; `after-tool-error` thinks only on the turn after a failed tool call. */
  thinkingPolicy: "client" | "after-tool-error";
  /**
   * Set when Switchyard launched the server itself, and so knows what no config says: where it saves
   * slot files, and the compat its launch arguments decided.
   */
  launched?: {
    slotFiles: { directory: string; maxBytes: number; kvBytesPerToken?: number };
    compat: Partial<LlamaServerCompat>;
    /** After how long idle a slot's prompt is moved to the RAM cache (0: never). */
    idleSlotMs: number;
    /** The RAM prompt cache the server was started with, in bytes (`--cache-ram`). */
    cacheRamBytes: number;
  };
  /** Slot pins shared by the replicas of a team's gateway (a lease in the shared store), for llama-servers. */
  slotBook?: SlotBookFactory;
}

/** A server's JSON answers to GETs of paths under its root (undefined when it does not answer 2xx JSON). */
export interface ProbedServer {
  /** The server's root URL (without `/v1`). */
  root: string;
  /** The JSON of a 2xx answer to GET `path`; undefined for anything else. */
  json(path: string): Promise<unknown | undefined>;
  /** The status and JSON body (undefined when not JSON) of any answer to GET `path`; undefined when none came. */
  answer(path: string): Promise<{ status: number; body: unknown } | undefined>;
}

/** How `serve --backend URL` and auto-discovery recognise a server of this kind. */
export interface BackendDiscovery {
  /** What the probe asks, for the error when nothing answers (e.g. `Ollama (GET /api/version)`). */
  describe: string;
  /** Recognised by its URL alone, before any server is asked (a cloud). */
  urlPattern?: RegExp;
  /** Recognised by what the server answers. */
  answers?: (server: ProbedServer) => Promise<boolean>;
  /** Where it listens by default, probed when no backend is configured. */
  wellKnownUrls?: readonly string[];
  /** Asked only after every other kind's probe: a protocol many servers speak, some of them known kinds. */
  fallback?: boolean;
  /** Settings the config entry of a server recognised by `answers` gets (its URL as the kind wants it, …). */
  configFor?: (url: string) => Record<string, unknown>;
}

/**
 * How a server of this kind treats a completion limit larger than what its context leaves, and so how
 * the prompt is sized before `max_tokens` is clamped (src/routing/clamp-max-tokens.ts): `count` with
 * the backend's countTokens, `estimate` for free, or `none` when the server is never clamped.
 */
export type ClampPromptSizing = "count" | "estimate" | "none";

/** One backend kind: its config entry, how to build it, what it can do, how it is recognised. */
export interface BackendKindEntry<Kind extends string, Schema extends z.ZodType = z.ZodType> {
  kind: Kind;
  /** One member of the config's `backends[]` union (backendSchema): strict, so a setting of another kind is an error. */
  schema: Schema;
  create(config: z.output<Schema>, context: BackendContext): Backend;
  /** The key the backend sends upstream, for kinds that take one (registered as a secret to redact). */
  apiKey?(config: z.output<Schema>): string | undefined;
  capabilities: BackendCapabilities;
  clampPromptSizing: ClampPromptSizing;
  discovery?: BackendDiscovery;
}

/** Upstream timeouts in milliseconds: to connect, for the response headers (prefill), and the longest silence mid-stream. */
const timeoutsSchema = z
  .object({
    connectMs: z.number().int().positive().optional(),
    headersMs: z.number().int().positive().optional(),
    idleMs: z.number().int().positive().optional(),
  })
  .strict()
  .optional();

/** Settings every kind has. */
const commonSettings = <Kind extends string>(kind: Kind) => ({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, "letters, digits, dot, dash or underscore"),
  type: z.literal(kind),
  url: z.url(),
  timeouts: timeoutsSchema,
});

/** Settings of a backend that may need a key (clouds, and servers that can be run with one). */
export const keySettings = {
  /** A key for cloud backends. Prefer `apiKeyEnv`, or the standard variable (ANTHROPIC_API_KEY). */
  apiKey: z.string().min(1).optional(),
  /** Name of the environment variable holding the key. */
  apiKeyEnv: z.string().min(1).optional(),
};

const article = (word: string) => (/^[aeiou]/i.test(word) ? "an" : "a");
const listed = (words: readonly string[]) =>
  words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;

/**
 * A kind's config entry: the common settings plus its own, strict. A setting that belongs to another
 * kind is named with this kind and the settings it does take, so the user sees what to change.
 */
export function backendSchema<const Kind extends string, Shape extends z.ZodRawShape>(kind: Kind, settings: Shape) {
  const shape = { ...commonSettings(kind), ...settings };
  const names = Object.keys(shape);
  return z
    .object(shape, {
      error: (issue) => {
        if (issue.code !== "unrecognized_keys") return undefined;
        const what = issue.keys.length === 1 ? "is not a setting" : "are not settings";
        return `${listed(issue.keys)} ${what} of ${article(kind)} ${kind} backend (its settings: ${names.join(", ")})`;
      },
    })
    .strict();
}

/** The config's `timeouts` as the backends' options; absent ones keep each backend's defaults. */
export function upstreamTimeouts(config: { timeouts?: z.infer<typeof timeoutsSchema> }) {
  return {
    connectTimeoutMs: config.timeouts?.connectMs,
    headersTimeoutMs: config.timeouts?.headersMs,
    idleTimeoutMs: config.timeouts?.idleMs,
  };
}

/** A backend's key: `apiKey`, else the variable `apiKeyEnv` names, else the kind's standard variable. */
export function keyOf(config: { apiKey?: string; apiKeyEnv?: string }, standardVariable?: string): string | undefined {
  const variable = config.apiKeyEnv ?? standardVariable;
  return config.apiKey ?? (variable ? process.env[variable] : undefined);
}

/** A server's root URL from its root or its OpenAI `/v1` URL. */
export const serverRoot = (url: string) => url.replace(/\/+$/, "").replace(/\/v1$/, "");
