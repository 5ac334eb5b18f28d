/** How the engine lays out a context (llama-context.cpp, llama-kv-cache-iswa.cpp). */
export interface ContextOptions {
  /** Tokens asked for with -c. */
  context: number;
  /** Slots (-np). */
  parallel: number;
  /** One KV buffer shared by all slots (--kv-unified). */
  unified: boolean;
  /** -ub; the SWA cache holds a window plus one micro-batch. */
  ubatch: number;
  /** --swa-full: the SWA cache as large as the full one. */
  swaFull: boolean;
}

export interface ContextLayout {
  /** n_ctx' = pad256(n_ctx). */
  paddedContext: number;
  /** KV streams: 1 when unified, else one per slot. */
  streams: number;
  /** Cells per stream of a full-attention layer. */
  cells: number;
  /** Cells per stream of a sliding-window layer. */
  swaCells: number;
}

export const pad256 = (value: number) => Math.ceil(value / 256) * 256;

export function contextLayout(options: ContextOptions, slidingWindow: number): ContextLayout {
  const paddedContext = pad256(options.context);
  const streams = options.unified ? 1 : options.parallel;
  const cells = options.unified ? paddedContext : pad256(paddedContext / options.parallel);
  const windowCells = slidingWindow * (options.unified ? options.parallel : 1) + options.ubatch;
  const swaCells = options.swaFull ? cells : pad256(Math.min(cells, windowCells));
  return { paddedContext, streams, cells, swaCells };
}
