import { z } from "zod";

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
      })
      .strict()
      .default({ extraArgs: [], slots: 4, contextSize: 0, cacheRamMiB: 8192 }),
  })
  .strict();

export type SwitchyardConfig = z.infer<typeof configSchema>;
