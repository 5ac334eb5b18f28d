import { kvCacheSize } from "./kv-cache-size.js";
import { readGgufHeader } from "./model-header.js";
import { readModelHparams } from "./model-hparams.js";

/** A token id as a slot file holds it (llama_token, int32). */
const TOKEN_ID_BYTES = 4;

/** The value after the first of `flags` in `args`, if any. */
const flagValue = (args: readonly string[], flags: readonly string[]) => {
  const index = args.findIndex((arg) => flags.includes(arg));
  return index >= 0 ? args[index + 1] : undefined;
};

/**
 * What each token adds to a slot file: its KV cache in the engine's model over all attention layers, in
 * the cache types the engine runs with (`-ctk`/`-ctv` among `engineArgs`, else f16; the fit planner's
 * arithmetic, kv-cache-size.ts), and its id. Undefined when the model's header cannot be read.
 */
export async function kvBytesPerToken(modelFile: string, engineArgs: readonly string[]): Promise<number | undefined> {
  try {
    const model = readModelHparams((await readGgufHeader(modelFile)).metadata);
    const types = {
      k: flagValue(engineArgs, ["-ctk", "--cache-type-k"]) ?? "f16",
      v: flagValue(engineArgs, ["-ctv", "--cache-type-v"]) ?? "f16",
    };
    const context = { context: 256, parallel: 1, unified: true, ubatch: 512, swaFull: false };
    return kvCacheSize(model, context, types).bytesPerCell + TOKEN_ID_BYTES;
  } catch {
    return undefined;
  }
}
