/**
 * The Qwen (GPT-2 byte-level BPE) tokenizer, as llama.cpp runs it for `tokenizer.ggml.pre = qwen35`:
 * special tokens split first, then the pre-tokenizer regex, then BPE merges by rank. The test-model
 * generator needs it to know which token ends a generation prompt and which tokens a prompt holds; it
 * is checked against llama-server's own /tokenize in byte-level-tokenizer.engine.test.ts.
 */

/** llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_QWEN35. */
const PRE_TOKENIZER =
  /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** GGUF token types (llama.cpp LLAMA_TOKEN_TYPE_*). */
export const TokenType = { Normal: 1, Control: 3, UserDefined: 4 } as const;

/** GPT-2's reversible map from bytes to printable characters ("Ġ" is a space, "Ċ" a newline). */
function byteToCharacter(): string[] {
  const printable: number[] = [];
  for (let byte = 33; byte <= 126; byte++) printable.push(byte);
  for (let byte = 161; byte <= 172; byte++) printable.push(byte);
  for (let byte = 174; byte <= 255; byte++) printable.push(byte);
  const characters: string[] = [];
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    characters[byte] = String.fromCodePoint(printable.includes(byte) ? byte : 256 + extra++);
  }
  return characters;
}

const BYTE_CHARACTERS = byteToCharacter();
const encoder = new TextEncoder();

/** Text as vocabulary characters: each UTF-8 byte becomes its GPT-2 printable character. */
export function toByteLevel(text: string): string {
  let out = "";
  for (const byte of encoder.encode(text)) out += BYTE_CHARACTERS[byte];
  return out;
}

export class ByteLevelTokenizer {
  readonly ids = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly specials: string[];

  constructor(
    readonly tokens: readonly string[],
    readonly types: readonly number[],
    merges: readonly string[],
  ) {
    tokens.forEach((piece, id) => {
      if (!this.ids.has(piece)) this.ids.set(piece, id);
    });
    merges.forEach((merge, rank) => {
      this.ranks.set(merge, rank);
    });
    this.specials = tokens
      .filter((_, id) => types[id] === TokenType.Control || types[id] === TokenType.UserDefined)
      .sort((a, b) => b.length - a.length);
  }

  isNormal(id: number): boolean {
    return this.types[id] === TokenType.Normal;
  }

  /** Token ids of `text`, special tokens parsed (as llama-server tokenizes a rendered prompt). */
  tokenize(text: string): number[] {
    const out: number[] = [];
    let plainStart = 0;
    let index = 0;
    while (index < text.length) {
      const special = text[index] === "<" ? this.specials.find((piece) => text.startsWith(piece, index)) : undefined;
      if (special === undefined) {
        index++;
        continue;
      }
      this.tokenizePlain(text.slice(plainStart, index), out);
      out.push(this.ids.get(special) as number);
      index += special.length;
      plainStart = index;
    }
    this.tokenizePlain(text.slice(plainStart), out);
    return out;
  }

  private tokenizePlain(text: string, out: number[]): void {
    for (const match of text.matchAll(PRE_TOKENIZER)) {
      for (const piece of this.mergeWord(toByteLevel(match[0]))) {
        const id = this.ids.get(piece);
        if (id === undefined) throw new Error(`no token for ${JSON.stringify(piece)}`);
        out.push(id);
      }
    }
  }

  /** Byte-pair merging: repeatedly joins the adjacent pair with the lowest merge rank. */
  private mergeWord(word: string): string[] {
    const symbols = Array.from(word);
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let index = 0; index + 1 < symbols.length; index++) {
        const rank = this.ranks.get(`${symbols[index]} ${symbols[index + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = index;
        }
      }
      if (best < 0) return symbols;
      symbols.splice(best, 2, `${symbols[best]}${symbols[best + 1]}`);
    }
  }
}
