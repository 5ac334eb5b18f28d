import { join } from "node:path";

export const OPENCODE_BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "opencode");

/**
 * The environment for the real opencode CLI: its config, data, cache and state under `home`, its config
 * from `config`, and nothing fetched from the internet (models catalog, updates, sharing, language servers).
 */
export function opencodeEnvironment(home: string, config: unknown): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_SHARE: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  };
}

/** opencode's config with one @ai-sdk/openai-compatible provider at `baseURL` serving model `local`, chosen. */
export function opencodeConfig(provider: { id: string; name: string; baseURL: string; apiKey: string }) {
  return {
    autoupdate: false,
    share: "disabled",
    provider: {
      [provider.id]: {
        npm: "@ai-sdk/openai-compatible",
        name: provider.name,
        options: { baseURL: provider.baseURL, apiKey: provider.apiKey },
        models: { local: { name: `Local via ${provider.name}` } },
      },
    },
    model: `${provider.id}/local`,
  };
}
