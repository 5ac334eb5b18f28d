import { EnvHttpProxyAgent, fetch as undiciFetch } from "undici";
import { isPrivateHost } from "./private-host.js";

/**
 * The proxy the environment names for requests leaving this machine (`HTTPS_PROXY`, `HTTP_PROXY`, lower
 * case first, as curl and undici read them); `NO_PROXY` is read per request by undici's agent.
 */
export function proxyFromEnvironment(): string | undefined {
  const env = process.env;
  return env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY || undefined;
}

/**
 * An agent through the environment's proxy, except to hosts `NO_PROXY` names. The variables are read
 * here, an empty one as unset (undici reads `http_proxy=""` as set, and then ignores `HTTP_PROXY`).
 */
export function environmentProxyAgent(
  options: ConstructorParameters<typeof EnvHttpProxyAgent>[0] = {},
): EnvHttpProxyAgent {
  const env = process.env;
  const httpProxy = env.http_proxy || env.HTTP_PROXY || undefined;
  return new EnvHttpProxyAgent({
    ...options,
    httpProxy,
    httpsProxy: env.https_proxy || env.HTTPS_PROXY || httpProxy,
    noProxy: env.no_proxy || env.NO_PROXY || "",
  });
}

/**
 * `fetch` through the environment's proxy where it names one (Node's own fetch ignores the variables),
 * else the global one. For downloads from the internet (Hugging Face), never for servers on this machine.
 */
export function environmentFetch(): typeof fetch {
  if (!proxyFromEnvironment()) return fetch;
  const dispatcher = environmentProxyAgent();
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    // A hub mirror on this machine or the LAN (HF_ENDPOINT) is reached directly.
    const url = input instanceof Request ? input.url : String(input);
    if (isPrivateHost(url)) return fetch(input, init);
    return undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
  }) as unknown as typeof fetch;
}
