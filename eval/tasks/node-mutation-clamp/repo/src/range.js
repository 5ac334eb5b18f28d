/** Clamps value into [low, high]; throws when low exceeds high. */
export function clamp(value, low, high) {
  if (low > high) throw new RangeError("low exceeds high");
  return Math.min(Math.max(value, low), high);
}

/** Whether value lies in the half-open range [start, end). */
export function inRange(value, start, end) {
  return value >= start && value < end;
}

/** Linear interpolation between a and b at t. */
export function lerp(a, b, t) {
  return a + (b - a) * t;
}
