/** WebCrypto helpers: hashing of high-entropy secrets, random tokens, AES-GCM for data at rest. */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toHex(buf: ArrayBuffer | Uint8Array): string {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Standard base64 (with padding) of bytes; `fromBase64` reverses it and throws on anything else. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** API secrets carry ≥ 192 bits of entropy, so a plain SHA-256 is the right hash (no PBKDF2 needed). */
export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(message)));
}

/** Constant-time comparison of two strings (hashes both first so lengths never leak or throw). */
export async function safeEqual(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A random base62 string; `length` 32 gives ~190 bits. Rejection sampling keeps it unbiased. */
export function randomToken(length = 32): string {
  let out = "";
  while (out.length < length) {
    const bytes = new Uint8Array(length * 2);
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

const aesKeys = new Map<string, Promise<CryptoKey>>();

function aesKey(secret: string): Promise<CryptoKey> {
  let key = aesKeys.get(secret);
  if (!key) {
    const raw = fromBase64(secret);
    if (raw.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes, base64-encoded");
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    aesKeys.set(secret, key);
  }
  return key;
}

/** Key version prefix, so a future key rotation can tell which key sealed a value. */
const SEAL_VERSION = "v1";

/**
 * AES-256-GCM with a random 96-bit IV. `context` is bound as additional data (e.g. the row id),
 * so a ciphertext copied into another row does not decrypt.
 */
export async function seal(secret: string, plaintext: string, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
    await aesKey(secret),
    encoder.encode(plaintext),
  );
  const out = new Uint8Array(12 + ct.byteLength);
  out.set(iv, 0);
  out.set(new Uint8Array(ct), 12);
  return `${SEAL_VERSION}:${toBase64(out)}`;
}

export async function unseal(secret: string, sealed: string, context: string): Promise<string> {
  const [version, body] = sealed.split(":", 2);
  if (version !== SEAL_VERSION || !body) throw new Error(`unknown sealed value version: ${version}`);
  const bytes = fromBase64(body);
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: encoder.encode(context) },
    await aesKey(secret),
    bytes.slice(12),
  );
  return decoder.decode(pt);
}

/** The first byte of a sealed binary: the key version, as SEAL_VERSION for strings. */
const SEALED_BYTES_VERSION = 1;

/**
 * `seal` for binary data (archived documents): version byte, 96-bit IV, AES-256-GCM ciphertext,
 * with `context` (the object key) bound as additional data.
 */
export async function sealBytes(secret: string, plaintext: Uint8Array, context: string): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, await aesKey(secret), plaintext);
  const out = new Uint8Array(13 + ct.byteLength);
  out[0] = SEALED_BYTES_VERSION;
  out.set(iv, 1);
  out.set(new Uint8Array(ct), 13);
  return out;
}

export async function unsealBytes(secret: string, sealed: Uint8Array, context: string): Promise<Uint8Array> {
  if (sealed[0] !== SEALED_BYTES_VERSION) throw new Error(`unknown sealed bytes version: ${sealed[0]}`);
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: sealed.slice(1, 13), additionalData: encoder.encode(context) },
    await aesKey(secret),
    sealed.slice(13),
  );
  return new Uint8Array(pt);
}

export async function sha256HexBytes(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}
