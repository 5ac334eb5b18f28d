import type { ServerResponse } from "node:http";
import type { ModelCard } from "../backends/backend.js";
import { invalidRequest, type SwitchyardError } from "../core/errors.js";
import type { ModelRouter, Route } from "../routing/model-router.js";
import { sendJson } from "../util/send-json.js";

/** The llama.cpp router's model actions (pi's `/llama` menu), which Switchyard does not take from a client. */
export const ROUTER_MODEL_ACTIONS = new Set(["/models/load", "/models/unload"]);

/**
 * A client's request to load or unload a model (pi's `/llama`), refused in words: every model listed is
 * served while Switchyard runs, for every client of the gateway, so none is loaded or unloaded for one.
 */
export function routerActionRefused(path: string): SwitchyardError {
  return invalidRequest(
    `Switchyard does not ${path.endsWith("unload") ? "unload" : "load"} models on request (POST ${path}): every model it lists is served while it runs, started or woken when a turn needs it`,
    "model_action_not_supported",
  );
}

/** How long the catalog waits for one backend to describe a model before listing it without. */
const CARD_DEADLINE_MS = 5_000;

/** What a route's backend says of its model; the context alone where it has no card, nothing when it fails. */
async function cardOf(route: Route, signal: AbortSignal): Promise<ModelCard> {
  try {
    return route.backend.modelCard
      ? await route.backend.modelCard(route.model, signal)
      : { contextSize: await route.backend.contextSize(signal, route.model) };
  } catch {
    return {};
  }
}

/**
 * GET /models: the models Switchyard routes, in llama.cpp's router catalog format (tools/server/
 * server-models.cpp `get_router_models`), so a client made for the llama.cpp router lists them: pi's
 * built-in `llama.cpp` provider (`/login llama.cpp` or `LLAMA_BASE_URL`) reads `data[].id`, `status.value`
 * (a model must be `loaded` to be chosen), `meta.n_ctx` as its context window, and
 * `architecture.input_modalities`. Every model is `loaded`: a request for it is served, Switchyard
 * starting or waking what it must.
 */
export async function handleRouterModels(response: ServerResponse, router: ModelRouter): Promise<void> {
  const signal = AbortSignal.timeout(CARD_DEADLINE_MS);
  const created = Math.floor(Date.now() / 1000);
  const data = await Promise.all(
    router.modelNames().map(async (id) => {
      const card = await cardOf(router.resolve(id), signal);
      return {
        id,
        aliases: [],
        tags: [],
        object: "model",
        owned_by: "switchyard",
        created,
        status: { value: "loaded", args: [] },
        architecture: { input_modalities: card.vision ? ["text", "image"] : ["text"], output_modalities: ["text"] },
        ...(card.contextSize ? { meta: { n_ctx: card.contextSize } } : {}),
      };
    }),
  );
  sendJson(response, 200, { object: "list", data });
}

/**
 * GET /props[?model=NAME]: llama-server's properties of the model a name routes to (the default route
 * without one), as far as Switchyard knows them: its chat template (pi turns thinking on for a model whose
 * template has `enable_thinking`), its context, whether it sees images. `models_autoload` is false: no
 * model in the catalog waits to be loaded.
 */
export async function handleRouterProps(requestUrl: string | undefined, response: ServerResponse, router: ModelRouter) {
  const model = new URL(requestUrl ?? "/", "http://switchyard").searchParams.get("model") ?? "";
  const route = router.resolve(model);
  const card = await cardOf(route, AbortSignal.timeout(CARD_DEADLINE_MS));
  sendJson(response, 200, {
    model_alias: model || route.model,
    models_autoload: false,
    ...(card.chatTemplate ? { chat_template: card.chatTemplate } : {}),
    ...(card.contextSize ? { default_generation_settings: { n_ctx: card.contextSize } } : {}),
    modalities: { vision: card.vision === true },
  });
}
