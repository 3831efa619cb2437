/**
 * Which URLs a webhook may be sent to. The API POSTs to them from inside the platform, so a URL
 * naming a private, loopback, link-local or otherwise reserved address would let a partner make
 * it call internal services (SSRF). Rules:
 * - live mode: `https://` only, on the default port 443, to a public host name or a public IP
 *   address (an explicit other port is refused: it is how internal admin services are reached);
 * - test mode: `https://` to a public host, on any port; and, only while the worker runs on a
 *   developer's machine (`ENVIRONMENT=development`), also loopback (`localhost`, `127.0.0.0/8`,
 *   `[::1]`, over http or https) so the sandbox can call a receiver there. A deployed worker
 *   never calls loopback, whatever the mode;
 * - never the platform's own host (`PUBLIC_BASE_URL`): events would loop into the API itself;
 * - never credentials in the URL (they would be stored and shown in clear).
 * Host names are checked as written: the platform cannot resolve them here, which is why
 * names that only exist on private networks (`*.local`, `*.internal`, single labels) are refused.
 * The check runs at subscription time and again before every attempt, with the rules of that
 * moment (services/webhooks/attempt-delivery.ts).
 */

export type UrlRefusal = "invalid_url" | "url_not_https" | "url_private_address" | "url_port_not_allowed" | "url_platform_host";

/** What the check depends on besides the URL: the mode, where the worker runs, and its own address. */
export interface UrlRules {
  livemode: boolean;
  /** The worker runs on a developer's machine (wrangler dev, tests): test mode may call loopback receivers. */
  localDevelopment: boolean;
  /** PUBLIC_BASE_URL, the platform's own address: never a target. */
  platformUrl: string | null;
}

/** The rules in force for a worker with these settings (`ENVIRONMENT`, `PUBLIC_BASE_URL`). */
export function webhookUrlRules(env: { ENVIRONMENT?: string | undefined; PUBLIC_BASE_URL?: string | undefined }, livemode: boolean): UrlRules {
  return { livemode, localDevelopment: env.ENVIRONMENT === "development", platformUrl: env.PUBLIC_BASE_URL ?? null };
}

export type UrlCheck = { ok: true; url: string } | { ok: false; code: UrlRefusal; message: string };

type Range = readonly [prefix: readonly number[], bits: number, label: string];

/** IPv4 special-purpose ranges (IANA registry, RFC 6890 and successors) that are not public unicast. */
const IPV4_RANGES: readonly Range[] = [
  [[0, 0, 0, 0], 8, "an unspecified (0.0.0.0/8)"],
  [[10, 0, 0, 0], 8, "a private (10.0.0.0/8)"],
  [[100, 64, 0, 0], 10, "a shared carrier-grade NAT (100.64.0.0/10)"],
  [[127, 0, 0, 0], 8, "a loopback (127.0.0.0/8)"],
  [[169, 254, 0, 0], 16, "a link-local (169.254.0.0/16)"],
  [[172, 16, 0, 0], 12, "a private (172.16.0.0/12)"],
  [[192, 0, 0, 0], 24, "an IETF protocol (192.0.0.0/24)"],
  [[192, 0, 2, 0], 24, "a documentation (192.0.2.0/24)"],
  [[192, 88, 99, 0], 24, "a 6to4 relay (192.88.99.0/24)"],
  [[192, 168, 0, 0], 16, "a private (192.168.0.0/16)"],
  [[198, 18, 0, 0], 15, "a benchmarking (198.18.0.0/15)"],
  [[198, 51, 100, 0], 24, "a documentation (198.51.100.0/24)"],
  [[203, 0, 113, 0], 24, "a documentation (203.0.113.0/24)"],
  [[224, 0, 0, 0], 4, "a multicast (224.0.0.0/4)"],
  [[240, 0, 0, 0], 4, "a reserved (240.0.0.0/4)"],
];

/** Bits of `bytes` compared with a prefix, bit by bit over 8-bit (IPv4) or 16-bit (IPv6) units. */
function inRange(units: readonly number[], unitBits: number, prefix: readonly number[], bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= unitBits) {
    const take = Math.min(bits, unitBits);
    const mask = ((1 << take) - 1) << (unitBits - take);
    if (((units[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

export function parseIPv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** Eight 16-bit groups, from the textual form (with `::` and an optional dotted IPv4 tail). */
export function parseIPv6(host: string): number[] | null {
  let text = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(":")) return null;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIPv4(last);
    if (!v4) return null;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    // Keep a `::` that ends right before the IPv4 tail ("::ffff:1.2.3.4" → "::ffff", "::1.2.3.4" → "::").
    text = text[lastColon - 1] === ":" ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const given = head.length + rest.length + tail.length;
  if ([...head, ...rest].some(Number.isNaN)) return null;
  if (halves.length === 1 && given !== 8) return null;
  if (halves.length === 2 && given > 7) return null;
  return [...head, ...Array<number>(8 - given).fill(0), ...rest, ...tail];
}

/** Why an IPv4 address is not public unicast, or null when it is. */
export function ipv4Refusal(bytes: readonly number[]): string | null {
  for (const [prefix, bits, label] of IPV4_RANGES) if (inRange(bytes, 8, prefix, bits)) return `${label} address`;
  return null;
}

function embeddedIPv4(groups: readonly number[], at: number): number[] {
  return [groups[at]! >> 8, groups[at]! & 0xff, groups[at + 1]! >> 8, groups[at + 1]! & 0xff];
}

/** Why an IPv6 address is not public unicast, or null when it is. */
export function ipv6Refusal(groups: readonly number[]): string | null {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 8)) return "the unspecified address (::)";
  if (zeros(0, 7) && groups[7] === 1) return "a loopback address (::1)";
  // IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96) reach the IPv4 address inside.
  if (zeros(0, 5) && groups[5] === 0xffff) return ipv4Refusal(embeddedIPv4(groups, 6));
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return ipv4Refusal(embeddedIPv4(groups, 6));
  if (zeros(0, 6)) return "an IPv4-compatible address (::/96, deprecated)";
  if (groups[0] === 0x2002) return ipv4Refusal(embeddedIPv4(groups, 1));
  const ranges: Range[] = [
    [[0x64, 0xff9b, 0x1], 48, "a local-use NAT64 (64:ff9b:1::/48)"],
    [[0x100, 0, 0, 0], 64, "a discard-only (100::/64)"],
    [[0x2001, 0xdb8], 32, "a documentation (2001:db8::/32)"],
    [[0x2001, 0], 23, "an IETF protocol (2001::/23)"],
    [[0xfc00], 7, "a unique local, i.e. private (fc00::/7)"],
    [[0xfe80], 10, "a link-local (fe80::/10)"],
    [[0xfec0], 10, "a site-local (fec0::/10)"],
    [[0xff00], 8, "a multicast (ff00::/8)"],
  ];
  for (const [prefix, bits, label] of ranges) if (inRange(groups, 16, prefix, bits)) return `${label} address`;
  return null;
}

/** Host names that only mean something on a private network (RFC 6761, RFC 8375, common practice). */
const PRIVATE_SUFFIXES = [".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".localdomain", ".corp", ".private"];

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v4 = parseIPv4(host);
  if (v4) return v4[0] === 127;
  const v6 = parseIPv6(host);
  return v6 !== null && v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1;
}

/** Why the host cannot be called from the platform, or null when it is public. */
function hostRefusal(host: string): string | null {
  const v4 = parseIPv4(host);
  if (v4) return ipv4Refusal(v4);
  if (host.startsWith("[")) {
    const v6 = parseIPv6(host);
    return v6 ? ipv6Refusal(v6) : "an unreadable IPv6 address";
  }
  if (host === "localhost" || PRIVATE_SUFFIXES.some((s) => host.endsWith(s))) return "a host name that only exists on private networks";
  if (!host.includes(".")) return "a single-label host name (not a public domain)";
  return null;
}

/** The platform's own host (and port, for a loopback one: a local receiver on another port is fine). */
function isPlatformHost(url: URL, host: string, platformUrl: string | null): boolean {
  if (!platformUrl) return false;
  let platform: URL;
  try {
    platform = new URL(platformUrl);
  } catch {
    return false;
  }
  if (platform.hostname.replace(/\.$/, "") !== host) return false;
  return !isLoopback(host) || (url.port || defaultPort(url)) === (platform.port || defaultPort(platform));
}

function defaultPort(url: URL): string {
  return url.protocol === "https:" ? "443" : "80";
}

export function checkWebhookUrl(raw: string, rules: UrlRules): UrlCheck {
  const { livemode, localDevelopment } = rules;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, code: "invalid_url", message: "must be an absolute URL such as https://votreapp.fr/webhooks/payment-api" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, code: "invalid_url", message: `must use https:// (not ${url.protocol})` };
  }
  if (url.username || url.password) {
    return { ok: false, code: "invalid_url", message: "must not carry a user name or password; authenticate requests with the signature instead" };
  }
  // WHATWG URL parsing already lower-cases the host and rewrites 0x7f.1, 2130706433 … as dotted IPv4.
  const host = url.hostname.replace(/\.$/, "");
  if (!host) return { ok: false, code: "invalid_url", message: "must name a host" };
  const loopbackAllowed = !livemode && localDevelopment && isLoopback(host);
  const localHint = !livemode && localDevelopment ? " (in local development, test mode also accepts localhost and 127.0.0.1)" : "";
  if (url.protocol === "http:" && !loopbackAllowed) {
    return {
      ok: false,
      code: "url_not_https",
      message: livemode
        ? "must use https:// in live mode"
        : localDevelopment
          ? "must use https://; test mode accepts http:// only for localhost and 127.0.0.1 (local development)"
          : "must use https://",
    };
  }
  if (isPlatformHost(url, host, rules.platformUrl)) {
    return { ok: false, code: "url_platform_host", message: "names this platform's own host; webhooks go to your application's server" };
  }
  if (!loopbackAllowed) {
    const refusal = hostRefusal(host);
    if (refusal) {
      return { ok: false, code: "url_private_address", message: `names ${refusal}; webhooks go to public addresses only${localHint}` };
    }
  }
  // The URL parser drops ":443" from https URLs, so any port left here is another one.
  if (livemode && url.port !== "") {
    return { ok: false, code: "url_port_not_allowed", message: `must use the default https port 443 in live mode (not ${url.port})` };
  }
  return { ok: true, url: url.href };
}
