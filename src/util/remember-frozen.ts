/** Freezes a value and everything in it; stops at what is frozen already. Bytes (which cannot be frozen) are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
  return value;
}

/**
 * `compute()`, remembered in `memory` when `key` is a frozen object: a frozen value cannot change, so
 * what was computed from it holds (RepeatedJsonMembers gives repeated request parts as the same frozen
 * objects). The result is frozen in turn, so what is computed from it can be remembered too. Anything
 * else is computed every time, as if nothing were remembered.
 */
export function rememberFrozen<V>(memory: WeakMap<object, V>, key: unknown, compute: () => V): V {
  const frozen = typeof key === "object" && key !== null && Object.isFrozen(key);
  if (frozen) {
    const known = memory.get(key);
    if (known !== undefined) return known;
  }
  const value = compute();
  if (frozen) memory.set(key, deepFreeze(value));
  return value;
}
