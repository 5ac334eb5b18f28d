const UNITS = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** "90s" → 90000. Only one part for now. */
export function parseDuration(text) {
  const match = /^(\d+)(ms|h|m|s)$/.exec(text.trim());
  if (!match) throw new RangeError(`not a duration: ${text}`);
  return Number(match[1]) * UNITS[match[2]];
}
