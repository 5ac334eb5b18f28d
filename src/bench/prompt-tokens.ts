import type { BenchTarget } from "./bench-target.js";
import { seededRandom } from "./statistics.js";

/** Counts a one-message prompt on the target's own template and tokenizer, or estimates it. */
export type TokenCounter = (text: string) => Promise<{ tokens: number; exact: boolean }>;

const COUNT_TIMEOUT_MS = 60_000;

async function postJson(url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal) {
  const timeout = AbortSignal.timeout(COUNT_TIMEOUT_MS);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return { json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/**
 * Switchyard and Anthropic count with `/v1/messages/count_tokens` (Switchyard's is exact on llama-server,
 * vLLM and Anthropic, and says so in `x-switchyard-token-count`); llama-server renders with
 * `/apply-template` and counts with `/tokenize`; anything else is estimated at 4 characters a token.
 */
export function tokenCounter(target: BenchTarget, signal?: AbortSignal): TokenCounter {
  const messages = (text: string) => [{ role: "user", content: text }];
  switch (target.kind) {
    case "switchyard":
    case "anthropic":
      return async (text) => {
        const { json, headers } = await postJson(
          `${target.baseUrl}/v1/messages/count_tokens`,
          { model: target.model, messages: messages(text) },
          { "anthropic-version": "2023-06-01", ...target.headers },
          signal,
        );
        const exact = target.kind === "anthropic" || headers.get("x-switchyard-token-count") === "exact";
        return { tokens: json.input_tokens as number, exact };
      };
    case "llama-server":
      return async (text) => {
        // `model` picks the model's process in router mode; a one-model server ignores it.
        const rendered = await postJson(
          `${target.baseUrl}/apply-template`,
          { model: target.model, messages: messages(text) },
          {},
          signal,
        );
        const tokenized = await postJson(
          `${target.baseUrl}/tokenize`,
          { model: target.model, content: rendered.json.prompt, add_special: true, parse_special: true },
          {},
          signal,
        );
        return { tokens: (tokenized.json.tokens as unknown[]).length, exact: true };
      };
    default:
      return async (text) => ({ tokens: Math.ceil(text.length / 4) + 8, exact: false });
  }
}

/** Common words most BPE vocabularies hold as one token each, after a space. */
const WORDS =
  "the of and to in is that it for on with as was at by this from or be are not have but an they which one all were there".split(
    " ",
  );

/** `count` words of filler, the same for the same seed. */
export function fillerWords(count: number, seed: number): string {
  const random = seededRandom(seed);
  let text = "";
  for (let index = 0; index < count; index++) text += ` ${WORDS[Math.floor(random() * WORDS.length)]}`;
  return text;
}

/**
 * A prompt `prefix + filler` whose rendered length is `depth` tokens on the target (as close as its
 * tokenizer allows within a few counts). `startWords` is a guess, e.g. the last prompt's word count.
 */
export async function promptOfDepth(
  count: TokenCounter,
  prefix: string,
  depth: number,
  seed: number,
  startWords?: number,
): Promise<{ text: string; tokens: number; exact: boolean; words: number }> {
  let words = Math.max(0, startWords ?? depth);
  let best: { text: string; tokens: number; exact: boolean; words: number } | undefined;
  for (let attempt = 0; attempt < 6; attempt++) {
    const text = `${prefix}${fillerWords(words, seed)}`;
    const counted = await count(text);
    if (!best || Math.abs(counted.tokens - depth) < Math.abs(best.tokens - depth)) best = { text, words, ...counted };
    const next = Math.max(0, words + depth - counted.tokens);
    if (counted.tokens === depth || next === words || (words === 0 && counted.tokens > depth)) break;
    words = next;
  }
  return best as { text: string; tokens: number; exact: boolean; words: number };
}
