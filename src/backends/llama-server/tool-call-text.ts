/** Whether only whitespace is left once every match of `pattern` is taken out. */
export const onlyMatches = (text: string, pattern: RegExp) => text.replace(pattern, "").trim() === "";

/**
 * A call's arguments as a JSON object: JSON text parsed (once), an object taken as it is; undefined for
 * anything else (text that is not JSON, an array, a scalar), which the family's reader then passes on as
 * text rather than guess.
 */
export function argumentObject(value: unknown): Record<string, unknown> | undefined {
  let input = value;
  if (typeof input === "string") {
    try {
      input = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  return typeof input === "object" && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : undefined;
}
