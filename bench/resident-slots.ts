/**
 * npm run bench:resident-slots — what other slots' prompts cost one slot's prefill and decode.
 *
 * The engine Switchyard launches keeps every slot's prompt in the unified KV cache
 * (`--no-cache-idle-slots`, src/engine/engine-args.ts), so a lane that comes back finds its prompt in place.
 * But llama.cpp computes attention over the cache's cells up to the highest one in use, masking the
 * other slots' cells: its CPU flash attention still reads the mask of every such cell, for every query
 * row and layer (ggml-cpu `ops.cpp`, `ggml_compute_forward_flash_attn_ext_f16_one_chunk` and the tiled
 * path, which skip a masked cell or tile only after reading its mask). So a slot works over every
 * resident prompt, not only its own.
 *
 * The engine as Switchyard launches it (`agentEngineArgs`), BENCH_SLOTS slots (default 4), BENCH_CONTEXT
 * (default 65536). BENCH_REPS (default 5) requests on slot 0 with the other slots empty; then with each
 * holding a prompt of BENCH_RESIDENT tokens (default 9000, about Claude Code's system prompt and tools);
 * then with those prompts moved to the RAM cache by a one-token request on each slot, as the backend
 * moves a lane's prompt when another lane takes its slot or the slot has idled `engine.idleSlotSeconds`
 * (`moveToRamCache`, `moveIdle`). Each measured request is a
 * new BENCH_PROMPT-token prompt (default 2000; `cache_prompt: false`, so nothing is reused) and
 * BENCH_DECODE tokens (default 64); llama-server's own timings give its prefill and decode speeds. Last,
 * each resident lane sends its prompt again on its slot: what the server found in its RAM cache, and how
 * long that took against the first prefill. The model is the tiny test model, or BENCH_SIZE=small, or
 * BENCH_MODEL=<a GGUF of yours>. Prints the medians and their ratio to the slot alone; writes
 * bench/results/resident-slots[-<model>].json.
 */
import { basename } from "node:path";
import { configSchema } from "../src/config/config-schema.js";
import { agentEngineArgs } from "../src/engine/engine-args.js";
import { EngineSupervisor } from "../src/engine/engine-supervisor.js";
import { benchEngine, median, printTable, writeResults } from "./bench-support.js";

const REPS = Number(process.env.BENCH_REPS ?? 5);
const RESIDENT = Number(process.env.BENCH_RESIDENT ?? 9000);
const PROMPT = Number(process.env.BENCH_PROMPT ?? 2000);
const DECODE = Number(process.env.BENCH_DECODE ?? 64);
const CONTEXT = Number(process.env.BENCH_CONTEXT ?? 65_536);
const SLOTS = Number(process.env.BENCH_SLOTS ?? 4);
const TIMEOUT_MS = 600_000;

interface Timings {
  prompt_n: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_per_second: number;
}

/** A prompt of exactly `tokens` tokens that no other request starts with (`seed` leads and runs through it). */
async function prompt(url: string, seed: string, tokens: number): Promise<number[]> {
  const words: string[] = [];
  for (let index = 0; words.length < tokens; index++) words.push(`${seed}w${(index * 7919) % 10_007}.`);
  const response = await fetch(`${url}/tokenize`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content: words.join(" ") }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`llama-server answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { tokens: number[] }).tokens.slice(0, tokens);
}

async function complete(url: string, slot: number, tokens: number[] | string, nPredict: number, cache: boolean) {
  const response = await fetch(`${url}/completion`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      prompt: tokens,
      id_slot: slot,
      n_predict: nPredict,
      cache_prompt: cache,
      ignore_eos: true,
      temperature: 0,
    }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`llama-server answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { timings: Timings }).timings;
}

type Phase = "alone" | "residents" | "moved";

interface Row {
  phase: Phase;
  promptTokens: number;
  prefillPerSecond: number;
  decodePerSecond: number;
}

/** A resident lane's prompt: first prefilled whole, then sent again after its move to the RAM cache. */
interface Resident {
  slot: number;
  tokens: number;
  firstMs: number;
  /** Coming back: tokens the server found (its RAM cache), and the time to the first token. */
  returnReused: number;
  returnMs: number;
}

interface ServerTimings extends Timings {
  prompt_ms: number;
}

async function measure(url: string, phase: Phase, round: { n: number }): Promise<Row> {
  const samples: Timings[] = [];
  for (let rep = 0; rep < REPS; rep++)
    samples.push(await complete(url, 0, await prompt(url, `m${round.n++}`, PROMPT), DECODE, false));
  return {
    phase,
    promptTokens: median(samples.map((sample) => sample.prompt_n)),
    prefillPerSecond: median(samples.map((sample) => sample.prompt_per_second)),
    decodePerSecond: median(samples.map((sample) => sample.predicted_per_second)),
  };
}

async function run(binary: string, model: string, args: string[]): Promise<{ rows: Row[]; residents: Resident[] }> {
  const server = await EngineSupervisor.start({ binary, model, args, readyTimeoutMs: 300_000 });
  try {
    const round = { n: 0 };
    // One request first, so the first measured one does not pay for warming up.
    await complete(server.url, 0, await prompt(server.url, "warm", PROMPT), DECODE, false);
    const rows = [await measure(server.url, "alone", round)];
    const prompts = new Map<number, number[]>();
    const firsts = new Map<number, ServerTimings>();
    for (let slot = 1; slot < SLOTS; slot++) {
      prompts.set(slot, await prompt(server.url, `r${slot}`, RESIDENT));
      firsts.set(slot, (await complete(server.url, slot, prompts.get(slot) as number[], 1, true)) as ServerTimings);
    }
    rows.push(await measure(server.url, "residents", round));
    // What the backend does to a lane's slot another lane takes (llama-server-backend.ts, moveToRamCache).
    for (let slot = 1; slot < SLOTS; slot++) await complete(server.url, slot, " ", 1, true);
    rows.push(await measure(server.url, "moved", round));
    const residents: Resident[] = [];
    for (let slot = 1; slot < SLOTS; slot++) {
      const back = (await complete(server.url, slot, prompts.get(slot) as number[], 1, true)) as ServerTimings;
      const first = firsts.get(slot) as ServerTimings;
      residents.push({
        slot,
        tokens: first.prompt_n,
        firstMs: first.prompt_ms,
        returnReused: first.prompt_n - back.prompt_n,
        returnMs: back.prompt_ms,
      });
    }
    return { rows, residents };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const size = (process.env.BENCH_SIZE ?? "tiny") as "tiny" | "small";
  const { binary, model: testModel } = await benchEngine(size);
  const model = process.env.BENCH_MODEL ?? testModel;
  const engine = configSchema.parse({ engine: { slots: SLOTS, contextSize: CONTEXT } }).engine;
  const { rows, residents } = await run(binary, model, agentEngineArgs(engine));
  const alone = rows[0] as Row;
  console.log(
    `\n${basename(model)}, Switchyard's engine arguments, --parallel ${SLOTS}, --ctx-size ${CONTEXT}: slot 0, new ${PROMPT}-token prompts and ${DECODE} tokens, ${REPS} each\n`,
  );
  const other = { alone: "empty", residents: "holding their prompts", moved: "moved to the RAM cache" };
  printTable(
    ["other slots", "prompt tokens", "prefill tok/s", "× alone", "decode tok/s", "× alone"],
    rows.map((row) => [
      other[row.phase],
      String(row.promptTokens),
      row.prefillPerSecond.toFixed(0),
      (row.prefillPerSecond / alone.prefillPerSecond).toFixed(2),
      row.decodePerSecond.toFixed(0),
      (row.decodePerSecond / alone.decodePerSecond).toFixed(2),
    ]),
  );
  console.log(
    "\nEach resident lane: its prompt prefilled at first, and again after its move (found in the RAM cache)\n",
  );
  printTable(
    ["slot", "prompt tokens", "first prefill ms", "coming back: reused", "coming back ms"],
    residents.map((resident) => [
      String(resident.slot),
      String(resident.tokens),
      resident.firstMs.toFixed(0),
      String(resident.returnReused),
      resident.returnMs.toFixed(0),
    ]),
  );
  const suffix = process.env.BENCH_MODEL ? `-${basename(model, ".gguf")}` : size === "tiny" ? "" : `-${size}`;
  writeResults(`resident-slots${suffix}`, {
    model: basename(model),
    reps: REPS,
    promptTokens: PROMPT,
    decodeTokens: DECODE,
    residentTokens: RESIDENT,
    slots: SLOTS,
    contextSize: CONTEXT,
    rows,
    residents,
  });
}

await main();
