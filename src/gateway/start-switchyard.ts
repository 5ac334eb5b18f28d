import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";
import type { Backend } from "../backends/backend.js";
import { createBackend, identifyServer, WELL_KNOWN_LOCAL_SERVERS } from "../backends/discover-backends.js";
import { LlamaServerBackend } from "../backends/llama-server/llama-server-backend.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { agentEngineArgs } from "../engine/engine-args.js";
import { EngineSupervisor } from "../engine/engine-supervisor.js";
import { correctedTemplateArgs } from "../engine/engine-template.js";
import { SqliteTurnStore } from "../store/sqlite-turn-store.js";
import type { TurnStore } from "../store/turn-store.js";
import { GatewayMetrics } from "../telemetry/gateway-metrics.js";
import { formatTurn, TurnRecorder } from "../telemetry/turn-record.js";
import { cacheDirectory, defaultStoreFile, defaultTurnsFile } from "../util/paths.js";
import { createGatewayServer } from "./gateway-server.js";
import { ModelRouter } from "./model-router.js";

export interface StartOptions {
  config: SwitchyardConfig;
  host?: string;
  port?: number;
  /** Backends given on the command line (`--backend URL`). */
  backendUrls?: string[];
  /** A GGUF to serve with a supervised engine (`--model`). */
  modelFile?: string;
  /** Finds or builds llama-server (only called when an engine must be started). */
  engineBinary?: () => Promise<string>;
  /** Writes the test model (only called when nothing else can serve). */
  testModel?: () => Promise<string>;
  /** Whether to probe the well-known local ports when no backend is given. */
  probeLocal?: boolean;
  say?: (message: string) => void;
}

export interface RunningSwitchyard {
  url: string;
  server: Server;
  backends: Backend[];
  router: ModelRouter;
  recorder: TurnRecorder;
  /** The durable turn store; undefined when `store.path` is null or the file could not be opened. */
  store: TurnStore | undefined;
  metrics: GatewayMetrics;
  engine: EngineSupervisor | undefined;
  usingTestModel: boolean;
  close(): Promise<void>;
}

async function backendForUrl(
  url: string,
  index: number,
  thinkingPolicy: "client" | "after-tool-error",
): Promise<Backend> {
  const name = `backend${index + 1}`;
  if (/anthropic\.com/.test(url)) return createBackend({ name, type: "anthropic", url });
  const kind = await identifyServer(url);
  if (kind === "llama-server") return new LlamaServerBackend({ name, baseUrl: url, thinkingPolicy });
  if (kind) throw new Error(`--backend ${url}: ${kind} is recognised but not supported yet; use llama-server`);
  throw new Error(`--backend ${url}: nothing answered as llama-server (GET /props) there`);
}

/** Starts the gateway with its backends: configured, given, probed, or a supervised engine. */
export async function startSwitchyard(options: StartOptions): Promise<RunningSwitchyard> {
  const say = options.say ?? (() => {});
  const config = options.config;
  const thinkingPolicy = config.thinking.policy;
  // Opened first: a store.path that cannot be opened stops the start before an engine is launched.
  const store = openStore(config, say);
  const backends: Backend[] = config.backends.map((backend) => createBackend(backend, thinkingPolicy));
  for (const [index, url] of (options.backendUrls ?? []).entries())
    backends.push(await backendForUrl(url, backends.length + index, thinkingPolicy));

  let engine: EngineSupervisor | undefined;
  let usingTestModel = false;
  const startEngine = async (model: string) => {
    if (!options.engineBinary) throw new Error("no engine available");
    const binary = await options.engineBinary();
    say(`starting llama-server with ${model}`);
    const template = await correctedTemplateArgs(model);
    if (template.note) say(template.note);
    const slotDirectory = join(cacheDirectory(), "slots");
    if (config.engine.slotSave) mkdirSync(slotDirectory, { recursive: true });
    const slotArgs = config.engine.slotSave ? ["--slot-save-path", slotDirectory] : [];
    engine = await EngineSupervisor.start({
      binary,
      model,
      // Clients see the file's name as the model id, not its full path.
      args: [...agentEngineArgs(config.engine), "--alias", basename(model, ".gguf"), ...template.args, ...slotArgs],
      onEvent: (event) => {
        if (event.type === "exited") say(`llama-server exited (code ${event.code}, signal ${event.signal})`);
        if (event.type === "restarting") say(`restarting llama-server (attempt ${event.attempt})`);
        if (event.type === "gave-up") say(`llama-server: ${event.reason}\n${event.logTail}`);
      },
    });
    say(`llama-server ready at ${engine.url} (PID ${engine.pid})`);
    backends.unshift(
      new LlamaServerBackend({ name: "local", baseUrl: engine.url, slotSave: config.engine.slotSave, thinkingPolicy }),
    );
  };

  if (options.modelFile) await startEngine(options.modelFile);
  if (backends.length === 0 && options.probeLocal !== false) {
    for (const candidate of WELL_KNOWN_LOCAL_SERVERS) {
      const kind = await identifyServer(candidate.url);
      if (kind === "llama-server") {
        say(`found llama-server at ${candidate.url}`);
        backends.push(new LlamaServerBackend({ name: "local", baseUrl: candidate.url, thinkingPolicy }));
        break;
      }
      if (kind) say(`found ${kind} at ${candidate.url}; not supported yet, skipping`);
    }
  }
  if (backends.length === 0) {
    if (!options.testModel) throw new Error("no backend configured and none found");
    usingTestModel = true;
    await startEngine(await options.testModel());
  }

  const router = new ModelRouter(backends, config.models);
  await router.refresh(AbortSignal.timeout(10_000));
  const turnsFile = config.telemetry.turnsFile === undefined ? defaultTurnsFile() : config.telemetry.turnsFile;
  const recorder = new TurnRecorder(config.telemetry.recentTurns, turnsFile ?? undefined);
  recorder.onTurn((turn) => say(formatTurn(turn)));
  if (store) recorder.onTurn((turn) => store.add(turn));
  const metrics = new GatewayMetrics(backends);
  recorder.onTurn((turn) => metrics.observe(turn));
  const server = createGatewayServer({
    backends,
    router,
    recorder,
    apiKey: process.env.SWITCHYARD_API_KEY || config.gateway.apiKey,
    bodyLimitBytes: config.gateway.bodyLimitBytes,
    metrics,
    store,
  });
  const host = options.host ?? config.gateway.host;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? config.gateway.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    server,
    backends,
    router,
    recorder,
    store,
    metrics,
    engine,
    usingTestModel,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(backends.map((backend) => backend.close()));
      await engine?.stop();
      await recorder.flush();
      await store?.close();
    },
  };
}

/** The configured store; a default store that cannot be opened is reported and skipped, not fatal. */
function openStore(config: SwitchyardConfig, say: (message: string) => void): TurnStore | undefined {
  if (config.store.path === null) return undefined;
  const path = config.store.path ?? defaultStoreFile();
  try {
    const store = new SqliteTurnStore({ path, retentionDays: config.store.retentionDays, onError: say });
    say(`turn store: ${path}`);
    return store;
  } catch (error) {
    if (config.store.path) throw new Error(`store.path ${path}: ${(error as Error).message}`);
    say(`turn store off: cannot open ${path}: ${(error as Error).message}`);
    return undefined;
  }
}
