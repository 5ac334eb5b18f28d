import { z } from "zod";

/** `backend` or `backend/model`, as in the `models` aliases. */
const target = z.string().min(1);

/**
 * The `routing` section: lanes to backends, when a session escalates to the cloud and comes back,
 * fallback chains, the fit check and an optional user rule. Model-name aliases stay in `models`.
 */
export const routingConfigSchema = z
  .object({
    /** Lane kind → `backend` or `backend/model`: e.g. `{ "side": "small-local" }` for title requests. */
    lanes: z
      .object({ main: target.optional(), subagent: target.optional(), side: target.optional() })
      .strict()
      .prefault({}),
    /** Where an escalated session goes: `backend` or `backend/model`. Default: the first non-local backend. */
    cloud: target.optional(),
    escalation: z
      .object({
        /** Escalate after this many failed tool results in a row at the end of the conversation; 0 turns it off. */
        toolErrors: z.number().int().min(0).default(2),
        /** Escalate when the last K tool calls are the same call (name and input); 0 turns it off. */
        repeatedToolCalls: z.number().int().min(0).default(3),
        /** Escalate after a local turn stopped at max_tokens. */
        onMaxTokens: z.boolean().default(true),
        /** Escalate after a local turn produced tool-call output that does not parse. */
        onBadToolOutput: z.boolean().default(true),
        /** Request header that forces a side: `cloud` or `local`. */
        header: z.string().min(1).default("x-switchyard-route"),
        /** Text at the start of the latest user message that moves the session to the cloud, and back. */
        cloudMarker: z.string().min(1).default("/cloud"),
        localMarker: z.string().min(1).default("/local"),
        /** An escalated session returns to local after this many cloud turns of its main lane; 0: never by itself. */
        deescalateAfterTurns: z.number().int().min(0).default(20),
      })
      .strict()
      .prefault({}),
    fallback: z
      .object({
        /** Backend name → the backends to try next, in order. Default: every other backend, local first. */
        chains: z.record(z.string(), z.array(z.string())).default({}),
        /** First cooldown of a failed backend; doubles on each failure in a row up to `maxCooldownMs`. */
        cooldownMs: z.number().int().min(0).default(2_000),
        maxCooldownMs: z.number().int().min(0).default(120_000),
      })
      .strict()
      .prefault({}),
    /**
     * Thinking made by another model, when a session moves (docs/design/cross-model-history.md): towards
     * Anthropic, local thinking is dropped or kept as a text block; towards a local engine, Claude's thinking
     * is kept as reasoning text or dropped.
     */
    crossModel: z
      .object({
        thinkingToAnthropic: z.enum(["drop", "text"]).default("drop"),
        thinkingToLocal: z.enum(["text", "drop"]).default("text"),
      })
      .strict()
      .prefault({}),
    /** Send a request larger than a backend's context to the next backend that fits. */
    fit: z.boolean().default(true),
    /** A user rule: an ES module whose default export maps (request summary, session state) to a decision. */
    module: z.string().min(1).optional(),
    /** Time the user rule may take before the configured rules decide instead. */
    moduleTimeoutMs: z.number().int().min(1).max(10_000).default(50),
  })
  .strict()
  .prefault({});

export type RoutingConfig = z.infer<typeof routingConfigSchema>;
