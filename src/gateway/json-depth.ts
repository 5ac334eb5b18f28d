import { invalidRequest } from "../core/errors.js";

/**
 * Deepest nesting a request body may have. JSON.parse copes with any depth, but everything after it
 * that walks a value recursively (key sorting for the cache, JSON.stringify towards the backend, zod)
 * would overflow the stack and fail as a 500. Real agent traffic nests a few dozen levels at most
 * (JSON schemas of tools); 512 leaves room while staying far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 512;

/** Throws a 400 when `value` nests deeper than `limit`; walks with an explicit stack, never recursion. */
export function assertJsonDepth(value: unknown, limit = MAX_JSON_DEPTH): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (item.value === null || typeof item.value !== "object") continue;
    const depth = item.depth + 1;
    if (depth > limit) throw invalidRequest(`the request body nests deeper than ${limit} levels`, "too_deeply_nested");
    const children = Array.isArray(item.value) ? item.value : Object.values(item.value);
    for (const child of children) if (child !== null && typeof child === "object") stack.push({ value: child, depth });
  }
}
