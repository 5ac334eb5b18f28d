import { gguf } from "@huggingface/gguf";

/**
 * A byte-level BPE tokenizer built from a GGUF's vocabulary (`tokenizer.ggml.*`), counting as llama.cpp
 * does (src/llama-vocab.cpp): special tokens are split out first (control tokens only when
 * `parseSpecial`), the rest is split by the pre-tokenizer's regexes, each piece's bytes are mapped to
 * GPT-2's printable characters and merged by rank. Pre-tokenizers are data below; a vocabulary whose
 * `tokenizer.ggml.pre` is not listed is refused rather than counted approximately.
 */

/**
 * `tokenizer.ggml.pre` → the regexes llama.cpp splits text with (llama-vocab.cpp, `regex_exprs`), applied
 * one after the other, each splitting the pieces the previous one left (matches and the text between).
 */
const GPT2_SPLIT = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const QWEN2_SPLIT =
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const PRE_TOKENIZERS: Record<string, { splits: string[]; ignoreMerges?: boolean }> = {
  qwen35: {
    splits: [
      "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    ],
  },
  qwen2: { splits: [QWEN2_SPLIT] },
  "llama-bpe": {
    splits: [
      "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    ],
    ignoreMerges: true,
  },
  "gpt-2": { splits: [GPT2_SPLIT] },
  mpt: { splits: [GPT2_SPLIT] },
  starcoder: { splits: ["\\p{N}", GPT2_SPLIT] },
  refact: { splits: ["\\p{N}", GPT2_SPLIT] },
  "command-r": { splits: ["\\p{N}", GPT2_SPLIT] },
  "deepseek-coder": { splits: ["[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[一-龥ࠀ-一가-퟿]+", "\\p{N}"] },
  falcon: {
    splits: [
      "[\\p{P}\\$\\+<=>\\^~\\|`]+",
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
      "[0-9][0-9][0-9]",
    ],
  },
};

/** GGUF token types (llama.cpp `llama_token_type`). */
const TOKEN_TYPE = { unknown: 2, control: 3, userDefined: 4 } as const;
const SPECIAL_TYPES = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.userDefined] as const;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** GPT-2's byte → printable character table (bytes_to_unicode). */
function byteEncoder(): string[] {
  const printable: number[] = [];
  for (let byte = 33; byte <= 126; byte++) printable.push(byte);
  for (let byte = 161; byte <= 172; byte++) printable.push(byte);
  for (let byte = 174; byte <= 255; byte++) printable.push(byte);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    table[byte] = String.fromCodePoint(printable.includes(byte) ? byte : 256 + extra++);
  }
  return table;
}

/** The matches of `split` in `text` and the text between them, in order (llama.cpp `unicode_regex_split`). */
function splitKeepingGaps(text: string, split: RegExp): string[] {
  const pieces: string[] = [];
  let last = 0;
  for (const match of text.matchAll(split)) {
    if (match[0].length === 0) continue;
    if (match.index > last) pieces.push(text.slice(last, match.index));
    pieces.push(match[0]);
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}

export interface GgufVocabulary {
  pre: string;
  tokens: string[];
  merges: string[];
  tokenTypes: number[];
  addBos: boolean;
  bosId: number | undefined;
}

export class GgufBpeTokenizer {
  private readonly ids = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly splits: RegExp[];
  /** Llama 3: a piece that is a token as a whole is that token, whatever the merges would make of it. */
  private readonly ignoreMerges: boolean;
  private readonly bytes = byteEncoder();
  private readonly encoder = new TextEncoder();
  /** Splits out special tokens, longest first: all of them, and those that match without parseSpecial. */
  private readonly specialPatterns: { all: RegExp | undefined; userDefined: RegExp | undefined };
  private readonly specialIds = new Map<string, number>();

  constructor(private readonly vocabulary: GgufVocabulary) {
    const pre = PRE_TOKENIZERS[vocabulary.pre];
    if (!pre) throw new Error(`no pre-tokenizer known for tokenizer.ggml.pre = ${vocabulary.pre}`);
    this.splits = pre.splits.map((split) => new RegExp(split, "gu"));
    this.ignoreMerges = pre.ignoreMerges === true;
    for (const [id, token] of vocabulary.tokens.entries()) this.ids.set(token, id);
    for (const [rank, merge] of vocabulary.merges.entries()) this.ranks.set(merge, rank);
    const specials = vocabulary.tokens
      .map((text, id) => ({ text, id, type: vocabulary.tokenTypes[id] ?? 1 }))
      .filter(({ type, text }) => text.length > 0 && (SPECIAL_TYPES as readonly number[]).includes(type))
      .sort((a, b) => b.text.length - a.text.length);
    for (const special of specials) this.specialIds.set(special.text, special.id);
    const alternation = (list: typeof specials) =>
      list.length === 0 ? undefined : new RegExp(list.map((special) => escapeRegex(special.text)).join("|"), "g");
    this.specialPatterns = {
      all: alternation(specials),
      userDefined: alternation(specials.filter((special) => special.type === TOKEN_TYPE.userDefined)),
    };
  }

  /** Reads the vocabulary of a GGUF file (a model, or a vocabulary-only GGUF). */
  static async fromGgufFile(path: string): Promise<GgufBpeTokenizer> {
    const { metadata } = await gguf(path, { allowLocalFile: true });
    const meta = metadata as Record<string, unknown>;
    if (meta["tokenizer.ggml.model"] !== "gpt2") {
      throw new Error(
        `only byte-level BPE vocabularies (gpt2) are supported, not ${String(meta["tokenizer.ggml.model"])}`,
      );
    }
    const bos = meta["tokenizer.ggml.bos_token_id"];
    return new GgufBpeTokenizer({
      pre: String(meta["tokenizer.ggml.pre"] ?? ""),
      tokens: meta["tokenizer.ggml.tokens"] as string[],
      merges: (meta["tokenizer.ggml.merges"] as string[] | undefined) ?? [],
      tokenTypes: (meta["tokenizer.ggml.token_type"] as number[] | undefined) ?? [],
      addBos: meta["tokenizer.ggml.add_bos_token"] === true,
      bosId: typeof bos === "number" ? bos : undefined,
    });
  }

  /** Token ids of `text`, as llama-server's /tokenize with `add_special` and `parse_special`. */
  encode(text: string, options: { addSpecial?: boolean; parseSpecial?: boolean } = {}): number[] {
    const out: number[] = [];
    if (options.addSpecial && this.vocabulary.addBos && this.vocabulary.bosId !== undefined)
      out.push(this.vocabulary.bosId);
    const pattern = options.parseSpecial ? this.specialPatterns.all : this.specialPatterns.userDefined;
    let last = 0;
    for (const match of pattern ? text.matchAll(pattern) : []) {
      this.encodeText(text.slice(last, match.index), out);
      out.push(this.specialIds.get(match[0]) as number);
      last = match.index + match[0].length;
    }
    this.encodeText(text.slice(last), out);
    return out;
  }

  private encodeText(text: string, out: number[]): void {
    let pieces = text ? [text] : [];
    for (const split of this.splits) pieces = pieces.flatMap((piece) => splitKeepingGaps(piece, split));
    for (const piece of pieces) this.encodeWord(piece, out);
  }

  private encodeWord(word: string, out: number[]): void {
    if (this.ignoreMerges) {
      const whole = this.ids.get(Array.from(this.encoder.encode(word), (byte) => this.bytes[byte]).join(""));
      if (whole !== undefined) {
        out.push(whole);
        return;
      }
    }
    let symbols = Array.from(this.encoder.encode(word), (byte) => this.bytes[byte] as string);
    while (symbols.length > 1) {
      let bestRank = Number.POSITIVE_INFINITY;
      let bestAt = -1;
      for (let index = 0; index < symbols.length - 1; index++) {
        const rank = this.ranks.get(`${symbols[index]} ${symbols[index + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestAt = index;
        }
      }
      if (bestAt < 0) break;
      const left = symbols[bestAt] as string;
      const right = symbols[bestAt + 1] as string;
      const merged = left + right;
      const next: string[] = [];
      for (let index = 0; index < symbols.length; index++) {
        if (index < symbols.length - 1 && symbols[index] === left && symbols[index + 1] === right) {
          next.push(merged);
          index++;
        } else next.push(symbols[index] as string);
      }
      symbols = next;
    }
    for (const symbol of symbols) {
      const id = this.ids.get(symbol);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      // llama.cpp falls back to one token per byte.
      for (const character of symbol) {
        const byteId = this.ids.get(character);
        if (byteId !== undefined) out.push(byteId);
      }
    }
  }
}
