// Small formatting and DOM helpers shared by the dashboard's views.

/** Creates an element: `el("td", { className: "num" }, "12")`. Children are text or nodes; text is never parsed as HTML. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("data-") || key.startsWith("aria-") || key === "title" || key === "role")
      node.setAttribute(key, String(value));
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const NA = "n/a";

export function int(value) {
  return typeof value === "number" ? Math.round(value).toLocaleString("en-US") : NA;
}

export function ms(value) {
  if (typeof value !== "number") return NA;
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

export function percent(part, whole) {
  if (typeof part !== "number" || typeof whole !== "number" || whole <= 0) return NA;
  return `${Math.round((part / whole) * 100)}%`;
}

export function usd(value) {
  if (typeof value !== "number") return NA;
  const size = Math.abs(value);
  const digits = size === 0 ? 2 : size < 0.01 ? 4 : size < 100 ? 2 : 0;
  const text = size.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${value < 0 ? "−" : ""}$${text}`;
}

export function rate(value) {
  return typeof value === "number" ? `${value.toFixed(1)}/s` : NA;
}

export function clock(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? NA : date.toLocaleTimeString("en-GB", { hour12: false });
}

export function dateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return NA;
  return `${date.toLocaleDateString("en-CA")} ${date.toLocaleTimeString("en-GB", { hour12: false })}`;
}

/** Long session ids (UUIDs) shortened for tables; the full id is in the title. */
export function shortId(id) {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}
