import { z } from "zod";

/** USD per million tokens. */
export const priceSchema = z
  .object({
    input: z.number().min(0),
    output: z.number().min(0),
    cacheRead: z.number().min(0),
    cacheWrite: z.number().min(0),
  })
  .strict();

export type Price = z.infer<typeof priceSchema>;

/** The `cost` section: price overrides, the reference model local turns are priced on, local energy. */
export const costConfigSchema = z
  .object({
    /** Model name (a trailing `*` matches a prefix) → price; merged over the built-in table. */
    pricing: z.record(z.string(), priceSchema).default({}),
    /** The cloud model a local turn is priced on, to show what it would have cost. */
    referenceModel: z.string().min(1).default("claude-sonnet-5-5"),
    /** Local energy: the machine's draw while serving and the electricity price. */
    energy: z
      .object({ watts: z.number().positive(), pricePerKWh: z.number().min(0) })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});

export type CostConfig = z.infer<typeof costConfigSchema>;
