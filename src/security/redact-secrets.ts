/**
 * Patterns of credentials that must never reach a log, a record or a client: API keys in their
 * vendors' formats, bearer tokens, and key-bearing URL parts. Redaction keeps a short prefix so a
 * reader can still tell which kind of key it was.
 */
const SECRET_PATTERNS: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bnvapi-[A-Za-z0-9_-]{16,}/g,
  /\b(?:AIza)[A-Za-z0-9_-]{30,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Header and field names whose values are secrets whatever they look like. */
const SECRET_NAMES =
  /^(authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|x-goog-api-key|cookie|set-cookie)$/i;

export const REDACTED = "[redacted]";

/** Keys this process holds (backends' and the gateway's), redacted wherever they appear, whatever their format. */
const registered = new Set<string>();

/**
 * Adds a key to those always redacted (called at start for every configured key). Short values are
 * left out: a placeholder such as `local` would otherwise vanish from every message.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 12) registered.add(secret);
}

/** The text with anything that looks like a credential, each registered key and each of `known` replaced. */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of [...registered, ...known]) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, (match) => `${match.slice(0, 6)}…${REDACTED}`);
  return out;
}

/** A copy of a JSON value (body or headers) with secret-named fields blanked and secret-looking strings redacted. */
export function redactValue(value: unknown, known: readonly string[] = []): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, item: unknown) =>
      SECRET_NAMES.test(key) && item !== null && typeof item !== "object"
        ? REDACTED
        : typeof item === "string"
          ? redactSecrets(item, known)
          : item,
    ),
  );
}

/** A URL safe to show: no user info, no query (either may carry a key). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return redactSecrets(url);
  }
}
