import type { ParsedToolCall } from "./dsml-tool-calls.js";

/** Gemma 4's string delimiter: a value between two of them is a string as it stands. */
const QUOTE = '<|"|>';
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;

/** Thrown inside the reader when the text is not Gemma 4's value syntax; never escapes `parseGemma4ToolCall`. */
class NotGemma4 extends Error {}

/**
 * A reader of Gemma 4's argument syntax, the grammar of llama.cpp's own Gemma 4 parser
 * (common/parsers/gemma4.cpp, `gemma4-value`): a string `<|"|>…<|"|>`, an object `{key:value,…}` with
 * bare keys (anything but `:` and `}`), an array `[value,…]`, a JSON number, `true`, `false`, `null`;
 * whitespace allowed after `{`, `[`, `,` and `:` and before the closing bracket.
 */
class Gemma4Reader {
  position = 0;

  constructor(private readonly text: string) {}

  private space(): void {
    while (/\s/.test(this.text[this.position] ?? "")) this.position++;
  }

  private take(literal: string): boolean {
    if (!this.text.startsWith(literal, this.position)) return false;
    this.position += literal.length;
    return true;
  }

  private expect(literal: string): void {
    if (!this.take(literal)) throw new NotGemma4(`expected ${literal} at ${this.position}`);
  }

  value(): unknown {
    if (this.take(QUOTE)) {
      const end = this.text.indexOf(QUOTE, this.position);
      if (end < 0) throw new NotGemma4("unterminated string");
      const value = this.text.slice(this.position, end);
      this.position = end + QUOTE.length;
      return value;
    }
    if (this.text.startsWith("{", this.position)) return this.object();
    if (this.take("[")) return this.list(() => this.value(), "]");
    for (const [literal, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.take(literal)) return value;
    }
    const number = NUMBER.exec(this.text.slice(this.position));
    if (!number) throw new NotGemma4(`no value at ${this.position}`);
    this.position += number[0].length;
    return Number(number[0]);
  }

  object(): Record<string, unknown> {
    this.expect("{");
    const entries = this.list(() => {
      const match = /^[^:}]+/.exec(this.text.slice(this.position));
      if (!match) throw new NotGemma4(`no key at ${this.position}`);
      this.position += match[0].length;
      this.expect(":");
      this.space();
      return [match[0], this.value()] as const;
    }, "}");
    return Object.fromEntries(entries);
  }

  /** Elements separated by `,` up to `close` (the opener already read). */
  private list<T>(element: () => T, close: string): T[] {
    this.space();
    const elements: T[] = [];
    if (this.take(close)) return elements;
    for (;;) {
      elements.push(element());
      if (this.take(",")) {
        this.space();
        continue;
      }
      this.space();
      this.expect(close);
      return elements;
    }
  }
}

/**
 * The call inside one Gemma 4 `<|tool_call>…<tool_call|>` block, as its template writes it
 * (google-gemma-4-31B-it.jinja: `call:NAME{key:value,…}`, strings between `<|"|>`). Undefined when the
 * block is anything else (cut off, stray text, an argument that is not Gemma 4's syntax): the caller
 * passes the output on as text rather than guess.
 */
export function parseGemma4ToolCall(block: string): ParsedToolCall[] | undefined {
  const header = /^call:([^{]+)/.exec(block);
  if (!header) return undefined;
  const reader = new Gemma4Reader(block);
  reader.position = header[0].length;
  try {
    const input = reader.object();
    if (block.slice(reader.position).trim() !== "") return undefined;
    return [{ name: header[1] ?? "", input }];
  } catch (error) {
    if (error instanceof NotGemma4) return undefined;
    throw error;
  }
}
