/** `0,8k,32k,86k` → token counts (k = 1024). */
export function parseDepths(text: string): number[] {
  return text.split(",").map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(k?)\s*$/i.exec(part);
    if (!match) throw new Error(`--depths: "${part}" is not a token count such as 8k or 2048`);
    return Math.round(Number(match[1]) * (match[2] ? 1024 : 1));
  });
}

/** `60s`, `2m`, `500ms`, or a number of seconds → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration such as 60s or 2m`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}
