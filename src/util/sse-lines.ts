import { StringDecoder } from "node:string_decoder";

/**
 * Longest event accepted (in UTF-16 units, about bytes for JSON). A 10 MB line (a huge tool call in
 * one chunk) passes; an upstream that never sends a newline cannot make the gateway buffer without end.
 */
export const MAX_SSE_EVENT_CHARS = 64 * 1024 * 1024;

/**
 * Splits an SSE byte stream into events ({event, data}); tolerant of chunk boundaries anywhere and of
 * CRLF. Used to read upstream streams (OpenAI-style `data:` lines and Anthropic's `event:` + `data:`).
 */
export async function* readSseEvents(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  maxEventBytes = MAX_SSE_EVENT_CHARS,
): AsyncGenerator<{ event: string | undefined; data: string }> {
  // Node's StringDecoder rather than TextDecoder: the same UTF-8 (a character split across chunks is
  // joined, invalid bytes become U+FFFD) without opening an ICU converter for every stream.
  const decoder = new StringDecoder("utf8");
  let buffer = "";
  let event: string | undefined;
  let data: string[] = [];
  // One line in; the event it ends, if it ends one. Not a generator: it runs for every line of every
  // upstream stream, and a nested generator costs an object and promise hops per line.
  const takeLine = (line: string): { event: string | undefined; data: string } | undefined => {
    if (line === "") {
      const ended = data.length > 0 ? { event, data: data.join("\n") } : undefined;
      event = undefined;
      data = [];
      return ended;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    return undefined;
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    // Search only the new text for the first newline: a long line arriving in many chunks stays linear.
    const first = text.indexOf("\n");
    buffer += text;
    if (first >= 0) {
      let start = 0;
      for (let newline = buffer.length - text.length + first; newline >= 0; newline = buffer.indexOf("\n", start)) {
        const ended = takeLine(buffer.slice(start, newline).replace(/\r$/, ""));
        start = newline + 1;
        if (ended) yield ended;
      }
      buffer = buffer.slice(start);
    }
    const pending = buffer.length + data.reduce((sum, line) => sum + line.length, 0);
    if (pending > maxEventBytes) throw new Error(`an SSE event exceeds ${maxEventBytes} characters`);
  }
  buffer += decoder.end();
  const last = buffer.length > 0 ? takeLine(buffer.replace(/\r$/, "")) : undefined;
  if (last) yield last;
  const ended = takeLine("");
  if (ended) yield ended;
}
