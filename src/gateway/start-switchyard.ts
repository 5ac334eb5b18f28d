import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import type { Backend } from "../backends/backend.js";
import { BackendHealthMonitor } from "../backends/backend-health.js";
import { pruneSlotFiles } from "../backends/llama-server/slot-file-budget.js";
import type { BackendContext } from "../backends/registry/backend-kind.js";
import { backendApiKey, createBackend } from "../backends/registry/backend-registry.js";
import { findLocalServer, RECOGNISED_BY, recognisedBackendConfig } from "../backends/registry/identify-server.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { CostMeter } from "../cost/turn-cost.js";
import { agentEngineArgs } from "../engine/engine-args.js";
import { EngineSupervisor } from "../engine/engine-supervisor.js";
import { correctedTemplateArgs } from "../engine/engine-template.js";
import { kvBytesPerToken } from "../fit/kv-bytes-per-token.js";
import { ModelRouter } from "../routing/model-router.js";
import { SessionRouter } from "../routing/session-router.js";
import { assertSafeToListen } from "../security/listen-guard.js";
import { redactValue, registerSecret } from "../security/redact-secrets.js";
import { describeStoreLocation, openTurnStore, type StoreLocation } from "../store/open-turn-store.js";
import { PostgresTurnStore } from "../store/postgres-turn-store.js";
import type { TurnStore } from "../store/turn-store.js";
import { GatewayMetrics } from "../telemetry/gateway-metrics.js";
import { formatTurn, TurnRecorder } from "../telemetry/turn-record.js";
import { cacheDirectory, defaultStoreFile, defaultTurnsFile } from "../util/paths.js";
import { createGatewayServer } from "./gateway-server.js";

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
  /** Where the launched engine saves slot files (default: the cache directory's `slots/`; tests give their own). */
  slotDirectory?: string;
  say?: (message: string) => void;
}

export interface RunningSwitchyard {
  url: string;
  server: Server;
  backends: Backend[];
  router: ModelRouter;
  routing: SessionRouter;
  recorder: TurnRecorder;
  /** The durable turn store (SQLite or Postgres); undefined when `store.path` is null or the default file could not be opened. */
  store: TurnStore | undefined;
  metrics: GatewayMetrics;
  engine: EngineSupervisor | undefined;
  health: BackendHealthMonitor;
  usingTestModel: boolean;
  close(): Promise<void>;
}

/** A backend given on the command line, named by its place (`backend1`, …), its kind recognised. */
async function backendForUrl(url: string, index: number, context: BackendContext): Promise<Backend> {
  const config = await recognisedBackendConfig(url, `backend${index + 1}`);
  if (!config) throw new Error(`--backend ${url}: nothing there answered as ${RECOGNISED_BY}`);
  registerSecret(backendApiKey(config));
  return createBackend(config, context);
}

/** Starts the gateway with its backends: configured, given, probed, or a supervised engine. */
export async function startSwitchyard(options: StartOptions): Promise<RunningSwitchyard> {
  const say = options.say ?? (() => {});
  const config = options.config;
  const host = options.host ?? config.gateway.host;
  const apiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
  assertSafeToListen(host, apiKey);
  registerSecret(apiKey);
  for (const backend of config.backends) registerSecret(backendApiKey(backend));
  // Opened first: a store.path or store.url that cannot be opened stops the start before an engine is launched.
  const store = await openStore(config, say);
  const replica = config.replica.name ?? `${hostname()}-${process.pid}`;
  // Replicas sharing a Postgres store share through it their llama-servers' slot pins (as leases) and
  // their sessions' routing state, and label their metrics.
  const shared = store instanceof PostgresTurnStore ? store : undefined;
  const context: BackendContext = {
    thinkingPolicy: config.thinking.policy,
    slotBook: shared?.slotBook({ replica, leaseMs: config.replica.slotLeaseSeconds * 1000, onError: say }),
  };
  const backends: Backend[] = config.backends.map((backend) => createBackend(backend, context));
  for (const [index, url] of (options.backendUrls ?? []).entries())
    backends.push(await backendForUrl(url, backends.length + index, context));

  let engine: EngineSupervisor | undefined;
  let usingTestModel = false;
  const startEngine = async (model: string) => {
    if (!options.engineBinary) throw new Error("no engine available");
    const binary = await options.engineBinary();
    say(`starting llama-server with ${model}`);
    const template = await correctedTemplateArgs(model);
    if (template.note) say(template.note);
    const slotDirectory = options.slotDirectory ?? join(cacheDirectory(), "slots");
    const slotFiles = {
      directory: slotDirectory,
      maxBytes: config.engine.slotSaveMaxMiB * 1024 * 1024,
      // What a copy of a slot costs, before one is measured (prefix-copy.ts).
      kvBytesPerToken: await kvBytesPerToken(model, config.engine.extraArgs),
    };
    // Slot files: a new lane's empty slot gets a copy of another slot's prompt through one (prefix-copy.ts),
    // and with slotSave an evicted lane's KV cache waits in one.
    mkdirSync(slotDirectory, { recursive: true });
    // Within the cap from the start. Not emptied: another Switchyard may share the cache directory.
    await pruneSlotFiles(slotFiles.directory, slotFiles.maxBytes);
    const slotArgs = ["--slot-save-path", slotDirectory];
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
      createBackend(
        { name: "local", type: "llama-server", url: engine.url, slotSave: config.engine.slotSave },
        {
          ...context,
          // Started with --no-cache-idle-slots (agentEngineArgs): its slots keep their prompts, so lanes
          // are pinned without probing; with a RAM cache, room for a turn is made by moving prompts there.
          launched: {
            slotFiles,
            compat: { pinSlots: true, makeRoom: config.engine.cacheRamMiB > 0, ...template.compat },
            idleSlotMs: config.engine.idleSlotSeconds * 1000,
            cacheRamBytes: config.engine.cacheRamMiB * 1024 * 1024,
          },
        },
      ),
    );
  };

  if (options.modelFile) await startEngine(options.modelFile);
  if (backends.length === 0 && options.probeLocal !== false) {
    const found = await findLocalServer();
    if (found) {
      say(`found ${found.type} at ${found.url}, as backend ${found.name}`);
      backends.push(createBackend(found, context));
    }
  }
  if (backends.length === 0) {
    if (!options.testModel) throw new Error("no backend configured and none found");
    usingTestModel = true;
    await startEngine(await options.testModel());
  }

  const router = new ModelRouter(backends, config.models);
  await router.refresh(AbortSignal.timeout(10_000));
  const health = new BackendHealthMonitor(backends);
  health.onChange((status) => {
    say(status.up ? `backend ${status.name} is up again` : `backend ${status.name} is down: ${status.lastError}`);
    // Up again (or up at last, a server that was loading its model at start): what does it serve now?
    if (status.up)
      void router.refresh(AbortSignal.timeout(10_000), (backend) => backend.name === status.name).catch(() => {});
  });
  router.useHealth(health);
  for (const backend of backends)
    backend.onServerChange?.((change, slotOwner) => {
      say(change);
      // What it serves now, and no slot file of the old model restored into it.
      router.sessions.forgetSaved(slotOwner, () => true);
      void router.refresh(AbortSignal.timeout(10_000), (each) => each === backend).catch(() => {});
    });
  health.start();
  const routing = await SessionRouter.create(router, config.routing, new CostMeter(config.cost));
  if (shared) {
    const cacheMs = config.replica.stateCacheSeconds * 1000;
    const urlOf = (name: string) => router.backendList().find((each) => each.name === name)?.baseUrl;
    routing.useSharedState(
      shared.sessionState({ cacheMs, onError: say }),
      shared.cooldowns({ urlOf, cacheMs, onError: say }),
    );
  }
  if (routing.ruleLoadError) say(`${routing.ruleLoadError}; routing uses the configured rules`);
  const turnsFile = config.telemetry.turnsFile === undefined ? defaultTurnsFile() : config.telemetry.turnsFile;
  const recorder = new TurnRecorder(config.telemetry.recentTurns, turnsFile ?? undefined);
  recorder.onTurn((turn) => say(formatTurn(turn)));
  // A completed turn is committed before its answer's last event goes out (docs/design/store.md); other
  // records (failures, count_tokens) are batched.
  if (store) recorder.onTurn((turn, durable) => (durable ? store.commit(turn) : store.add(turn)));
  const metrics = new GatewayMetrics(backends, { replica: shared ? replica : undefined });
  recorder.onTurn((turn) => metrics.observe(turn));
  const server = createGatewayServer({
    backends,
    router,
    recorder,
    apiKey,
    bodyLimitBytes: config.gateway.bodyLimitBytes,
    corsOrigins: config.gateway.corsOrigins,
    clientLimits: {
      headersTimeoutMs: config.gateway.headersTimeoutMs,
      requestTimeoutMs: config.gateway.requestTimeoutMs,
      maxConnections: config.gateway.maxConnections,
    },
    signInHours: config.gateway.signInHours,
    streamKeepAliveMs: config.gateway.streamKeepAliveMs,
    logBody: config.telemetry.logBodies
      ? (direction, body) => say(`${direction} body ${JSON.stringify(redactValue(body))}`)
      : undefined,
    routing,
    health,
    metrics,
    store,
    engine,
  });
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
    routing,
    recorder,
    store,
    metrics,
    engine,
    health,
    usingTestModel,
    async close() {
      health.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(backends.map((backend) => backend.close()));
      await engine?.stop();
      await recorder.flush();
      await store?.close();
    },
  };
}

/** Where the config puts the store: its Postgres URL, its file, the default file, or nowhere (`path: null`). */
export function configuredStoreLocation(config: SwitchyardConfig): StoreLocation | undefined {
  if (config.store.url !== undefined) return { kind: "postgres", url: config.store.url };
  if (config.store.path === null) return undefined;
  return { kind: "sqlite", path: config.store.path ?? defaultStoreFile() };
}

/**
 * The configured store; a default store that cannot be opened is reported and skipped, not fatal. A
 * store the user named (a file or a database) that cannot be opened stops the start.
 */
async function openStore(config: SwitchyardConfig, say: (message: string) => void): Promise<TurnStore | undefined> {
  const location = configuredStoreLocation(config);
  if (!location) return undefined;
  if (location.kind === "postgres") {
    registerSecret(location.url);
    const password = URL.canParse(location.url) ? decodeURIComponent(new URL(location.url).password) : "";
    if (password) registerSecret(password);
  }
  const where = describeStoreLocation(location);
  try {
    const store = await openTurnStore(location, { retentionDays: config.store.retentionDays, onError: say });
    say(`turn store: ${where}`);
    return store;
  } catch (error) {
    if (location.kind === "postgres") throw new Error(`store.url ${where}: ${(error as Error).message}`);
    if (config.store.path) throw new Error(`store.path ${where}: ${(error as Error).message}`);
    say(`turn store off: cannot open ${where}: ${(error as Error).message}`);
    return undefined;
  }
}
