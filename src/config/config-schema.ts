import { z } from "zod";
import { backendConfigSchema } from "../backends/registry/backend-registry.js";
import { costConfigSchema } from "../cost/cost-config.js";
import { routingConfigSchema } from "../routing/routing-config.js";
import { DEFAULT_CLIENT_LIMITS, DEFAULT_STREAM_KEEP_ALIVE_MS } from "../security/client-limits.js";

export const DEFAULT_PORT = 4747;

/**
 * The user's config file (JSON). Every section is optional; defaults live here, in one place.
 * Later subsystems add their sections to this schema.
 */
export const configSchema = z
  .object({
    engine: z
      .object({
        /** Absolute path of a llama-server to use instead of building one (`engine install --use`). */
        llamaServer: z.string().min(1).optional(),
        /** Extra llama-server arguments appended to the ones `serve` chooses. */
        extraArgs: z.array(z.string()).default([]),
        /** Number of slots (parallel sequences) for the engine `serve` launches. */
        slots: z.number().int().min(1).max(64).default(4),
        /** Context size in tokens shared by all slots (unified KV); 0 means the model's own. */
        contextSize: z.number().int().min(0).default(0),
        /** RAM prompt cache in MiB (llama-server --cache-ram). */
        cacheRamMiB: z.number().int().min(0).default(8192),
        /** Save an evicted lane's KV cache to disk (--slot-save-path in the cache) and restore it when the lane returns. */
        slotSave: z.boolean().default(false),
        /** Disk the saved slot files may take, in MiB; past it the oldest files are deleted. */
        slotSaveMaxMiB: z.number().int().min(1).default(16_384),
        /**
         * A slot whose lane's last turn ended this many seconds ago has its prompt moved to the RAM cache
         * before another lane's turn (prompts kept in other slots slow every turn); 0 keeps them.
         */
        idleSlotSeconds: z.number().int().min(0).default(600),
      })
      .strict()
      .prefault({}),
    gateway: z
      .object({
        host: z.string().min(1).default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
        /** Clients must send this key (x-api-key or Authorization: Bearer); env SWITCHYARD_API_KEY overrides. */
        apiKey: z.string().min(1).optional(),
        /**
         * Largest request body accepted, in bytes. 32 MiB fits a full 1M-token context: text is ~4 bytes
         * per token (4 MB), JSON escaping of code and tool output at most doubles it (8 MB), which leaves
         * ~24 MB for base64 images (4/3 of their bytes). It is also Anthropic's own Messages API limit, so
         * nothing the cloud accepts is refused here.
         */
        bodyLimitBytes: z
          .number()
          .int()
          .positive()
          .default(32 * 1024 * 1024),
        /** Browser origins allowed to call the API (CORS); none by default, so no web page can. */
        corsOrigins: z.array(z.string().min(1)).optional(),
        /** A client must have sent its request's headers within this many milliseconds of starting it (else 408). */
        headersTimeoutMs: z.number().int().positive().default(DEFAULT_CLIENT_LIMITS.headersTimeoutMs),
        /**
         * ...and the whole request, body included, within this many. 32 MiB (the body limit) at 1 Mbit/s
         * takes under 5 minutes. The answer is not counted: a long prefill or stream is never cut here.
         */
        requestTimeoutMs: z.number().int().positive().default(DEFAULT_CLIENT_LIMITS.requestTimeoutMs),
        /**
         * A streamed answer that sent nothing for this many milliseconds (a long prefill before its first
         * event, a tool call read whole inside it) gets its 200 and headers if not sent, then an SSE comment,
         * as llama-server does while it prefills, so a client's deadline for headers or for silence does not
         * fire; 0 turns it off.
         */
        streamKeepAliveMs: z.number().int().min(0).default(DEFAULT_STREAM_KEEP_ALIVE_MS),
        /** Client connections held at once; at the cap the oldest idle one is closed to make room. */
        maxConnections: z.number().int().min(1).default(DEFAULT_CLIENT_LIMITS.maxConnections),
        /** How long a dashboard sign-in lasts, in hours. */
        signInHours: z
          .number()
          .positive()
          .max(24 * 366)
          .default(12),
      })
      .strict()
      .prefault({}),
    telemetry: z
      .object({
        /** Append-only JSONL file of turn records; `null` turns it off. Default: $XDG_STATE_HOME/switchyard/turns.jsonl. */
        turnsFile: z.string().min(1).nullable().optional(),
        /** Turn records kept in memory for /v1/switchyard/turns. */
        recentTurns: z.number().int().min(10).max(1_000_000).default(2000),
        /** Log request and response bodies (secrets redacted); off by default, as they hold the user's code. */
        logBodies: z.boolean().default(false),
      })
      .strict()
      .default({ recentTurns: 2000, logBodies: false }),
    store: z
      .object({
        /** SQLite file of turn records; `null` turns the store off. Default: $XDG_STATE_HOME/switchyard/switchyard.db. */
        path: z.string().min(1).nullable().optional(),
        /**
         * A PostgreSQL database shared by a team's gateways (`postgres://user:password@host:5432/db`), in
         * place of the SQLite file. The password may come from PGPASSWORD instead.
         */
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\/[^\s]+$/, "store.url must be a postgres:// or postgresql:// URL")
          .optional(),
        /** Turns older than this many days are deleted (at start, then hourly); 0 keeps everything. */
        retentionDays: z.number().int().min(0).default(30),
      })
      .strict()
      .refine((store) => store.url === undefined || store.path === undefined, {
        message: "store.url and store.path name two stores: give one",
      })
      .default({ retentionDays: 30 }),
    /**
     * This gateway as one of several replicas sharing a PostgreSQL store (`store.url`): its name (the
     * `replica` label on metrics; default host name and PID), and how long a slot a replica holds stays
     * held after it stops renewing (a replica that died).
     */
    replica: z
      .object({
        name: z
          .string()
          .regex(/^[A-Za-z0-9._:-]{1,64}$/, "replica.name: letters, digits, . _ : - (up to 64)")
          .optional(),
        slotLeaseSeconds: z.number().min(1).max(600).default(15),
        /**
         * How long a replica trusts its copy of shared routing state (sessions' modes and placement,
         * backend cooldowns) while it cannot hear the other replicas' changes; while it hears them, a
         * change drops the copy at once.
         */
        stateCacheSeconds: z.number().min(0).max(3600).default(2),
      })
      .strict()
      .default({ slotLeaseSeconds: 15, stateCacheSeconds: 2 }),
    /** `after-tool-error`: thinking off on ordinary turns, on for the turn after a failed tool call (local backends). */
    thinking: z
      .object({ policy: z.enum(["client", "after-tool-error"]).default("client") })
      .strict()
      .default({ policy: "client" }),
    /** Each kind's settings: src/backends/registry/ (a setting of another kind is an error naming both). */
    backends: z.array(backendConfigSchema).default([]),
    /** Model name (as clients send it) → `backend` or `backend/model`. Claude names fall back to the first backend. */
    models: z.record(z.string(), z.string()).default({}),
    /** Lanes, escalation, fallback chains, fit, a user rule (src/routing/routing-config.ts). */
    routing: routingConfigSchema,
    /** Prices, the reference model and local energy (src/cost/cost-config.ts). */
    cost: costConfigSchema,
  })
  .strict();

export type SwitchyardConfig = z.infer<typeof configSchema>;
