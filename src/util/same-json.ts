/** What JSON.stringify writes for an array slot holding nothing it can represent. */
const inArray = (value: unknown) =>
  value === undefined || typeof value === "function" || typeof value === "symbol" ? null : value;

const representable = (value: unknown) =>
  value !== undefined && typeof value !== "function" && typeof value !== "symbol";

const isPlainContainer = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== "function";

/**
 * `JSON.stringify(a) === JSON.stringify(b)`, without writing either out: comparing a lane's whole
 * previous request with the next one turn after turn (tens of KB each) would otherwise build and
 * throw away strings of that size every turn. Key order counts, as it does in the rendered prompt.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isPlainContainer(a) || !isPlainContainer(b)) return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!sameJson(inArray(a[index]), inArray(b[index]))) return false;
    return true;
  }
  const keysA = Object.keys(a).filter((key) => representable(a[key]));
  const keysB = Object.keys(b).filter((key) => representable(b[key]));
  if (keysA.length !== keysB.length) return false;
  for (let index = 0; index < keysA.length; index++) {
    const key = keysA[index] as string;
    if (key !== keysB[index] || !sameJson(a[key], b[key])) return false;
  }
  return true;
}
