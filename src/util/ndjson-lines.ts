/**
 * Splits a newline-delimited JSON byte stream (`application/x-ndjson`, Ollama's streaming format) into
 * its lines, tolerant of chunk boundaries anywhere (inside a line or a UTF-8 character) and of CRLF.
 * Blank lines are skipped; the last line needs no trailing newline. Parsing is the caller's: a line
 * that is not JSON must become an error in the caller's terms.
 */
export async function* readNdjsonLines(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of chunks) {
    buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield line;
      newline = buffer.indexOf("\n");
    }
  }
  buffer += decoder.decode();
  const last = buffer.trim();
  if (last) yield last;
}
