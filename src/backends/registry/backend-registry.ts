import { z } from "zod";
import type { Backend } from "../backend.js";
import { anthropicKind } from "./anthropic-kind.js";
import type { BackendContext, BackendKindEntry } from "./backend-kind.js";
import { llamaServerKind } from "./llama-server-kind.js";
import { ollamaKind } from "./ollama-kind.js";
import { openAICompatibleKind } from "./openai-compatible-kind.js";
import { sglangKind } from "./sglang-kind.js";
import { vllmKind } from "./vllm-kind.js";

/**
 * Every backend kind, the one list of them: the config's `backends[]` union, the factory, discovery
 * (probed in this order), the capability table (rows in this order) and the bench read it.
 */
export const BACKEND_KINDS = [
  llamaServerKind,
  anthropicKind,
  openAICompatibleKind,
  ollamaKind,
  vllmKind,
  sglangKind,
] as const;

export type BackendKind = (typeof BACKEND_KINDS)[number]["kind"];

type Kinds = typeof BACKEND_KINDS;
/** The entries' schemas as a tuple, as the union wants them (a generic, so the tuple's shape is kept). */
type SchemasOf<Entries extends readonly unknown[]> = {
  -readonly [Index in keyof Entries]: Entries[Index] extends { schema: infer Schema } ? Schema : never;
};

const kindNames = BACKEND_KINDS.map((entry) => entry.kind);

/** One `backends[]` entry: its `type` picks the kind, and only that kind's settings are accepted. */
export const backendConfigSchema = z.discriminatedUnion(
  "type",
  BACKEND_KINDS.map((entry) => entry.schema) as SchemasOf<Kinds>,
  {
    error: (issue) => (issue.code === "invalid_union" ? `must be one of ${kindNames.join(", ")}` : undefined),
  },
);

export type BackendConfig = z.infer<typeof backendConfigSchema>;

type AnyKindEntry = Kinds[number];
const byKind = new Map<string, AnyKindEntry>(BACKEND_KINDS.map((entry) => [entry.kind, entry]));

/** The registry's entry for a kind. */
export function backendKind(kind: BackendKind): AnyKindEntry {
  return byKind.get(kind) as AnyKindEntry;
}

// An entry takes the config its own `type` picks; TypeScript cannot follow that through the lookup, so
// the entry is taken as one that takes any backend's config.
const entryFor = (config: BackendConfig) =>
  byKind.get(config.type) as unknown as BackendKindEntry<BackendKind, typeof backendConfigSchema>;

/** Builds a backend from its config entry: configured, given as a URL, discovered or launched alike. */
export function createBackend(config: BackendConfig, context: BackendContext = { thinkingPolicy: "client" }): Backend {
  return entryFor(config).create(config, context);
}

/** The key a backend sends upstream, if its kind takes one. */
export function backendApiKey(config: BackendConfig): string | undefined {
  return entryFor(config).apiKey?.(config);
}
