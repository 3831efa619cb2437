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
 * moment (services/webhooks/attempt-delivery.ts). Which addresses are special-purpose (the IANA
 * registries) is ipaddr.js's to know; refusing all of them but the public anycast ones is ours.
 */

import ipaddr from "ipaddr.js";

type IPv4Range = ReturnType<ipaddr.IPv4["range"]>;

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

/**
 * Why an IPv4 address is not public unicast, by the IANA special-purpose range ipaddr.js names;
 * null for public addresses. AS112 and AMT relays are anycast services any host may reach.
 */
const IPV4_REFUSALS: Readonly<Record<IPv4Range, string | null>> = {
  unicast: null,
  as112: null,
  amt: null,
  unspecified: "an unspecified address (0.0.0.0/8)",
  broadcast: "the broadcast address (255.255.255.255)",
  multicast: "a multicast address (224.0.0.0/4)",
  linkLocal: "a link-local address (169.254.0.0/16)",
  loopback: "a loopback address (127.0.0.0/8)",
  carrierGradeNat: "a shared carrier-grade NAT address (100.64.0.0/10)",
  private: "a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
  reserved: "a reserved address (IETF protocol, documentation, benchmarking or 240.0.0.0/4)",
  benchmarking: "a benchmarking address (198.18.0.0/15)",
};

/** The same for IPv6; every special-purpose range is refused, those not named here by ipaddr.js's name. */
const IPV6_REFUSALS: Readonly<Record<string, string>> = {
  unspecified: "the unspecified address (::)",
  loopback: "a loopback address (::1)",
  linkLocal: "a link-local address (fe80::/10)",
  deprecatedSiteLocal: "a site-local address (fec0::/10)",
  uniqueLocal: "a unique local, i.e. private, address (fc00::/7)",
  multicast: "a multicast address (ff00::/8)",
  discard: "a discard-only address (100::/64)",
  rfc6052: "a local-use NAT64 address (64:ff9b:1::/48)",
  rfc6145: "an IPv4-translated address (::ffff:0:0:0/96)",
  teredo: "a Teredo address (2001::/32)",
  segmentRouting: "a segment-routing address (5f00::/16)",
  reserved: "a reserved or documentation address (2001::/23, 2001:db8::/32, 3fff::/20)",
};

/** NAT64's well-known prefix reaches the IPv4 address in its last 32 bits: that address decides. */
const NAT64 = ipaddr.IPv6.parseCIDR("64:ff9b::/96");
/** Deprecated by RFC 4291, routed nowhere public; ipaddr.js leaves it in unicast. */
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR("::/96");

function ipv4Refusal(address: ipaddr.IPv4): string | null {
  return IPV4_REFUSALS[address.range()];
}

/** The IPv4 address carried in 16-bit groups `at` and `at + 1`. */
function embeddedIPv4(address: ipaddr.IPv6, at: number): ipaddr.IPv4 {
  const [high = 0, low = 0] = address.parts.slice(at, at + 2);
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function ipv6Refusal(address: ipaddr.IPv6): string | null {
  const range = address.range();
  if (range === "ipv4Mapped" || address.match(NAT64)) return ipv4Refusal(embeddedIPv4(address, 6));
  // 6to4 carries the IPv4 address in bits 16 to 47.
  if (range === "6to4") return ipv4Refusal(embeddedIPv4(address, 1));
  if (range === "unicast") return address.match(IPV4_COMPATIBLE) ? "an IPv4-compatible address (::/96, deprecated)" : null;
  return IPV6_REFUSALS[range] ?? `a special-purpose address (${range})`;
}

/**
 * The IP address a URL's host names, or null for a host name. Only the URL parser's form (dotted
 * IPv4, bracketed IPv6): it has already rewritten 0x7f.1, 2130706433 … as dotted IPv4, and dotted
 * IPv6 tails as hex groups ("::1.2.3.4", which ipaddr.js alone would read as IPv4-mapped).
 */
function hostAddress(host: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return ipaddr.IPv4.parse(host);
  const bare = host.slice(1, -1);
  return host.startsWith("[") && ipaddr.IPv6.isValid(bare) ? ipaddr.IPv6.parse(bare) : null;
}

/** Host names that only mean something on a private network (RFC 6761, RFC 8375, common practice). */
const PRIVATE_SUFFIXES = [".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".localdomain", ".corp", ".private"];

function isLoopback(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || hostAddress(host)?.range() === "loopback";
}

/** Why the host cannot be called from the platform, or null when it is public. */
function hostRefusal(host: string): string | null {
  const address = hostAddress(host);
  if (address) return address instanceof ipaddr.IPv4 ? ipv4Refusal(address) : ipv6Refusal(address);
  if (host.startsWith("[")) return "an unreadable IPv6 address";
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
