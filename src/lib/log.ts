/**
 * The one way to write a log line: JSON with `level`, `message`, `request_id` when known, and
 * safe fields. Logs leave the system of record (Workers Logs, a tail, a log drain), so what they
 * must never carry is removed here, whatever the caller passes:
 * - bound query parameters: drizzle's error message ends with `params: …` (the values of the
 *   query: emails, sealed blobs, amounts) — everything from `params:` on is cut, and the error's
 *   own `params`/`query` properties are never serialized;
 * - payment-page tokens: `/p/{token}` becomes `/p/[token]` in every string (the token is the
 *   page's credential);
 * - secrets and personal data that look like themselves: `whsec_…`, `cs_…`, `sk_…`, bearer
 *   tokens and JWTs, email addresses, IBANs, card numbers;
 * - request bodies and secret-looking fields: a field named like `body`, `secret`, `password`,
 *   `token`, `authorization`, `cookie`, `iban`, `email`, `card` is replaced, not logged.
 * Errors are reduced to their name, cleaned message, stack frames and cleaned cause message.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Record<string, unknown> & { request_id?: string | null | undefined };

const REDACTED = "[redacted]";

/** Field names whose values are never logged, at any depth. */
const FORBIDDEN_KEY = /(^|_)(body|raw_?body|secret|secrets|password|passphrase|token|access_token|authorization|cookie|iban|email|card|card_number|cvc|params|headers)$/i;

const TEXT_RULES: [RegExp, string][] = [
  // drizzle: "Failed query: <sql>\nparams: <values>" — the values go, the SQL (placeholders only) stays.
  [/\bparams:[\s\S]*$/i, "params: [redacted]"],
  [/\/p\/(?!\[token\])[^/?#\s"'\\<>]+/g, "/p/[token]"],
  // base62 (older secrets) or base64 (`+`, `/`, `=`: Standard Webhooks secrets).
  [/\bwhsec_[A-Za-z0-9_+/=-]+/g, "whsec_[redacted]"],
  [/\b(cs|sk|pk)_(test|live)_[A-Za-z0-9_-]+/g, "$1_$2_[redacted]"],
  [/\bBearer\s+[^\s"',]+/gi, "Bearer [redacted]"],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[jwt]"],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, "[email]"],
  [/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g, "[iban]"],
  [/\b\d(?:[ -]?\d){12,18}\b/g, "[number]"],
];

const MAX_STRING = 2_000;

/** A string as it may be logged. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out.length > MAX_STRING ? `${out.slice(0, MAX_STRING)}…` : out;
}

/** A request path as it may be logged: the payment page's token is its credential. */
export function redactPath(path: string): string {
  return redactText(path);
}

/** What a log line keeps of an error: never its enumerable properties (drizzle's `params`, a D1 error's `cause` object). */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: redactText(String(err)) };
  const frames = (err.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at\s/.test(line))
    .slice(0, 12)
    .map((line) => redactText(line.trim()));
  const cause = (err as { cause?: unknown }).cause;
  return {
    error: redactText(`${err.name}: ${err.message}`),
    ...(frames.length ? { stack: frames } : {}),
    ...(cause !== undefined ? { cause: redactText(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)) } : {}),
  };
}

function clean(value: unknown, depth: number): unknown {
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string") return redactText(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return describeError(value);
  if (depth >= 4) return "[…]";
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => clean(v, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = FORBIDDEN_KEY.test(key) ? REDACTED : clean(v, depth + 1);
    return out;
  }
  return REDACTED;
}

/** The JSON line for a log call (exported for tests). */
export function logLine(level: LogLevel, message: string, fields: LogFields = {}): string {
  const { request_id, error, ...rest } = fields;
  const line: Record<string, unknown> = { level, message: redactText(message) };
  if (request_id) line.request_id = redactText(request_id);
  const extra = { ...(clean(rest, 0) as Record<string, unknown>), ...(error !== undefined ? describeError(error) : {}) };
  // A field may not pass itself off as the line's level, message or request id.
  for (const [key, value] of Object.entries(extra)) line[key in line || key === "request_id" ? `field_${key}` : key] = value;
  return JSON.stringify(line);
}

function write(level: LogLevel, message: string, fields?: LogFields): void {
  const line = logLine(level, message, fields);
  // The only console calls of src/: everything else logs through here.
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export const log = {
  debug: (message: string, fields?: LogFields) => write("debug", message, fields),
  info: (message: string, fields?: LogFields) => write("info", message, fields),
  warn: (message: string, fields?: LogFields) => write("warn", message, fields),
  error: (message: string, fields?: LogFields) => write("error", message, fields),
};
