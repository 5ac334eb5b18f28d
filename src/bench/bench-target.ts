import { serverRoot } from "../backends/registry/backend-kind.js";
import { type BackendKind, backendApiKey } from "../backends/registry/backend-registry.js";
import { identifyServer, kindByUrl } from "../backends/registry/identify-server.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { Wire } from "./measure-stream.js";

/** A backend kind from the registry, or a running Switchyard. */
export type TargetKind = BackendKind | "switchyard";

/** One thing a bench measures: where, over which wire, and what it can tell about itself. */
export interface BenchTarget {
  name: string;
  kind: TargetKind;
  /** Root URL (no `/v1`). */
  baseUrl: string;
  wire: Wire;
  /** The model name sent in each request. */
  model: string;
  /** False for a cloud: its requests cost money, so the bench asks first. */
  local: boolean;
  headers: Record<string, string>;
}

const PROBE_TIMEOUT_MS = 3000;

async function getJson(url: string, signal?: AbortSignal): Promise<unknown | undefined> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return response.ok ? await response.json() : undefined;
  } catch {
    signal?.throwIfAborted();
    return undefined;
  }
}

const isLoopback = (url: string) => /^https?:\/\/(127\.|localhost|\[::1\])/.test(url);

/** The backends behind a running Switchyard that run on this machine (for `--direct`). */
export async function switchyardLocalBackends(baseUrl: string, signal?: AbortSignal): Promise<string[]> {
  const info = (await getJson(`${baseUrl}/v1/switchyard/info`, signal)) as
    | { backends?: Array<{ local?: boolean; url?: string }> }
    | undefined;
  return (info?.backends ?? []).flatMap((backend) => (backend.local && backend.url ? [backend.url] : []));
}

/**
 * A TARGET as the CLI takes it: a configured backend's name, or a URL recognised as `serve --backend`
 * recognises one (plus a running Switchyard, recognised by its `/v1/switchyard/info`).
 */
export async function resolveTarget(
  spec: string,
  config: SwitchyardConfig,
  options: { model?: string; wire?: Wire; signal?: AbortSignal; switchyardApiKey?: string } = {},
): Promise<BenchTarget> {
  const configured = config.backends.find((backend) => backend.name === spec);
  if (!configured && !/^https?:\/\//.test(spec))
    throw new Error(
      `${spec} is neither a configured backend (${config.backends.map((backend) => backend.name).join(", ") || "none configured"}) nor a URL`,
    );
  const url = serverRoot(configured?.url ?? spec);
  const name = configured?.name ?? spec;
  const key = configured ? backendApiKey(configured) : undefined;
  const listedModel = configured && "models" in configured ? configured.models?.[0] : undefined;
  if ((configured?.type ?? kindByUrl(url)) === "anthropic") {
    const apiKey = key ?? process.env.ANTHROPIC_API_KEY;
    return {
      name,
      kind: "anthropic",
      baseUrl: url,
      wire: "anthropic",
      model: options.model ?? listedModel ?? "claude-haiku-4-5",
      local: false,
      headers: apiKey ? { "x-api-key": apiKey } : {},
    };
  }
  const info = await getJson(`${url}/v1/switchyard/info`, options.signal);
  if (info && !configured)
    return {
      name,
      kind: "switchyard",
      baseUrl: url,
      wire: options.wire ?? "anthropic",
      model: options.model ?? "local",
      local: true,
      headers: {},
    };
  const kind = configured?.type ?? (await identifyServer(url)) ?? "openai-compatible";
  let model = options.model ?? listedModel;
  if (!model) {
    const models = (await getJson(`${url}/v1/models`, options.signal)) as { data?: Array<{ id?: string }> } | undefined;
    model = models?.data?.[0]?.id ?? "default";
  }
  return {
    name,
    kind,
    baseUrl: url,
    wire: "openai",
    model,
    local: isLoopback(url) || kind === "llama-server" || kind === "ollama",
    headers: key ? { authorization: `Bearer ${key}` } : {},
  };
}
