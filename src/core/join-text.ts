/** Joins text blocks the way a reader would: a newline between blocks unless one is already there. */
export function joinText(texts: readonly string[]): string {
  let out = "";
  for (const text of texts) {
    if (out.length > 0 && !out.endsWith("\n") && text.length > 0) out += "\n";
    out += text;
  }
  return out;
}
