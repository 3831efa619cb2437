import { describe, expect, it } from "vitest";
import { checkWebhookUrl, webhookUrlRules, type UrlRules } from "../../src/domain/webhook-url";

/** Which URLs a partner may register (and the platform may call). */

const PLATFORM = "https://pay.example.fr";
/** The rules of a worker in local development (the default here), or of a deployed one. */
function rules(livemode: boolean, where: "local" | "deployed" = "local", platformUrl: string | null = PLATFORM): UrlRules {
  return { livemode, localDevelopment: where === "local", platformUrl };
}

describe("checkWebhookUrl", () => {
  it.each([
    ["https://votreapp.fr/webhooks/payment-api", "https://votreapp.fr/webhooks/payment-api"],
    ["https://VotreApp.FR:443/hooks?x=1", "https://votreapp.fr/hooks?x=1"],
    ["https://8.8.8.8/hook", "https://8.8.8.8/hook"],
    ["https://[2606:4700:4700::1111]/hook", "https://[2606:4700:4700::1111]/hook"],
    ["https://93.184.216.34./x", "https://93.184.216.34/x"],
  ])("accepts %s in both modes", (url, normalized) => {
    for (const live of [true, false]) for (const where of ["local", "deployed"] as const) expect(checkWebhookUrl(url, rules(live, where))).toEqual({ ok: true, url: normalized });
  });

  it.each([
    "http://localhost:9999/hook",
    "http://127.0.0.1:9999/hook",
    "https://localhost/hook",
    "http://127.0.0.2/hook",
    "http://[::1]:9999/hook",
    "http://dev.localhost:3000/",
    "http://localhost.:9999/",
  ])("test mode accepts the loopback receiver %s in local development only; live mode and a deployed worker refuse it", (url) => {
    expect(checkWebhookUrl(url, rules(false, "local")).ok).toBe(true);
    for (const refused of [rules(true, "local"), rules(true, "deployed"), rules(false, "deployed")]) {
      const res = checkWebhookUrl(url, refused);
      expect(res.ok, JSON.stringify(refused)).toBe(false);
      expect(res.ok === false && ["url_not_https", "url_private_address"]).toContain(res.ok === false && res.code);
    }
  });

  it.each([
    ["not a url", "invalid_url"],
    ["votreapp.fr/webhooks", "invalid_url"],
    ["ftp://votreapp.fr/hook", "invalid_url"],
    ["javascript:alert(1)", "invalid_url"],
    ["https://user:pass@votreapp.fr/hook", "invalid_url"],
    ["http://votreapp.fr/hook", "url_not_https"],
  ])("refuses %s in both modes (%s)", (url, code) => {
    for (const live of [true, false]) for (const where of ["local", "deployed"] as const) expect(checkWebhookUrl(url, rules(live, where))).toMatchObject({ ok: false, code });
  });

  it("live mode refuses http even to a public host", () => {
    expect(checkWebhookUrl("http://votreapp.fr/hook", rules(true))).toMatchObject({ ok: false, code: "url_not_https", message: "must use https:// in live mode" });
  });

  it.each([
    // private, loopback, link-local and other non-public IPv4, in every spelling the URL parser normalizes
    "https://10.0.0.1/",
    "https://10.255.255.255/",
    "https://172.16.0.1/",
    "https://172.31.255.254/",
    "https://192.168.1.10/",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://198.18.0.1/",
    "https://192.0.2.1/",
    "https://0x0a000001/",
    "https://167772161/",
    "https://10.1/",
    "https://0251.0376.0251.0376/",
    // IPv6
    "https://[::]/",
    "https://[fd00::1]/",
    "https://[fc00::1]/",
    "https://[fe80::1]/",
    "https://[ff02::1]/",
    "https://[::ffff:10.0.0.1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[64:ff9b::a00:1]/",
    "https://[2002:a00:1::]/",
    "https://[2001:db8::1]/",
    "https://[::10.0.0.1]/",
    // names that exist only on private networks
    "https://metadata.google.internal/",
    "https://metadata.google.internal./",
    "https://printer.local/",
    "https://intranet/",
    "https://router.home.arpa/",
  ])("refuses the private address %s in both modes", (url) => {
    for (const live of [true, false]) for (const where of ["local", "deployed"] as const) expect(checkWebhookUrl(url, rules(live, where))).toMatchObject({ ok: false, code: "url_private_address" });
  });

  it("refuses loopback in live mode as a private address, naming it", () => {
    const res = checkWebhookUrl("https://127.0.0.1/hook", rules(true));
    expect(res).toMatchObject({ ok: false, code: "url_private_address" });
    expect(res.ok === false && res.message).toContain("loopback");
  });
});

describe("ports, the platform's own host, and where the worker runs", () => {
  it.each([
    // [url, live mode, test mode]: what each mode answers on a deployed worker
    ["https://votreapp.fr:8443/hooks", "url_port_not_allowed", "ok"],
    ["https://votreapp.fr:8080/hooks", "url_port_not_allowed", "ok"],
    ["https://votreapp.fr:80/hooks", "url_port_not_allowed", "ok"],
    ["https://votreapp.fr:22/hooks", "url_port_not_allowed", "ok"],
    ["https://8.8.8.8:9200/", "url_port_not_allowed", "ok"],
    ["https://votreapp.fr:443/hooks", "ok", "ok"],
    ["https://votreapp.fr/hooks", "ok", "ok"],
    ["http://votreapp.fr:443/hooks", "url_not_https", "url_not_https"],
    ["https://pay.example.fr/v1/organizations", "url_platform_host", "url_platform_host"],
    ["https://PAY.example.fr./p/x", "url_platform_host", "url_platform_host"],
    ["https://pay.example.fr:8443/hook", "url_platform_host", "url_platform_host"],
    ["https://other.example.fr/hook", "ok", "ok"],
    ["http://127.0.0.1:9999/hook", "url_not_https", "url_not_https"],
    ["https://127.0.0.1/hook", "url_private_address", "url_private_address"],
    ["https://localhost:3000/hook", "url_private_address", "url_private_address"],
    ["https://[::1]/hook", "url_private_address", "url_private_address"],
  ] as const)("%s on a deployed worker: live %s, test %s", (url, live, test) => {
    for (const [livemode, expected] of [[true, live], [false, test]] as const) {
      const res = checkWebhookUrl(url, rules(livemode, "deployed"));
      if (expected === "ok") expect(res.ok, `${url} livemode=${livemode}: ${JSON.stringify(res)}`).toBe(true);
      else expect(res, `livemode=${livemode}`).toMatchObject({ ok: false, code: expected });
    }
  });

  it("in local development the platform is a loopback origin: other local ports are receivers, its own port is refused", () => {
    const local = (url: string) => checkWebhookUrl(url, rules(false, "local", "http://127.0.0.1:8787"));
    expect(local("http://127.0.0.1:9999/hook")).toEqual({ ok: true, url: "http://127.0.0.1:9999/hook" });
    expect(local("http://127.0.0.1:8787/v1/organizations")).toMatchObject({ ok: false, code: "url_platform_host" });
    expect(local("http://localhost:8787/hook")).toEqual({ ok: true, url: "http://localhost:8787/hook" });
  });

  it("the messages say what is accepted where: no local-development hint on a deployed worker", () => {
    const deployed = checkWebhookUrl("http://127.0.0.1:9999/hook", rules(false, "deployed"));
    expect(deployed).toMatchObject({ ok: false, code: "url_not_https", message: "must use https://" });
    const port = checkWebhookUrl("https://votreapp.fr:8443/hook", rules(true, "deployed"));
    expect(port).toMatchObject({ ok: false, message: "must use the default https port 443 in live mode (not 8443)" });
  });

  it("webhookUrlRules reads ENVIRONMENT and PUBLIC_BASE_URL: only 'development' is local", () => {
    expect(webhookUrlRules({ ENVIRONMENT: "development", PUBLIC_BASE_URL: PLATFORM }, false)).toEqual({ livemode: false, localDevelopment: true, platformUrl: PLATFORM });
    for (const ENVIRONMENT of ["production", "staging", "Development", undefined]) {
      expect(webhookUrlRules({ ENVIRONMENT, PUBLIC_BASE_URL: PLATFORM }, false).localDevelopment, String(ENVIRONMENT)).toBe(false);
    }
  });
});

describe("IPv6 addresses: read by the URL parser, classified by ipaddr.js, our policy on top", () => {
  /** What a live partner on a deployed worker hears for an https URL naming this IPv6 address. */
  function refusal(address: string): string | null {
    const res = checkWebhookUrl(`https://[${address.replace(/^\[|\]$/g, "")}]/hook`, rules(true, "deployed"));
    if (res.ok) return null;
    expect(res.code, res.message).toBe("url_private_address");
    return res.message;
  }

  it.each([
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["2001:db8::8:800:200c:417a", "2001:db8::/32"],
    ["::ffff:1.2.3.4", null],
    // RFC 4291 IPv4-compatible, not mapped (ipaddr.js alone would read it as ::ffff:1.2.3.4).
    ["::1.2.3.4", "IPv4-compatible"],
    ["1:2:3:4:5:6:7:8", null],
  ])("%s is read and classified (%s)", (text, expected) => {
    if (expected === null) expect(refusal(text)).toBeNull();
    else expect(refusal(text)).toContain(expected);
  });

  it.each(["1:2:3", "1::2::3", "::g", "1:2:3:4:5:6:7:8:9", "12345::"])("rejects %s as no address at all", (text) => {
    for (const live of [true, false]) expect(checkWebhookUrl(`https://[${text}]/`, rules(live))).toMatchObject({ ok: false, code: "invalid_url" });
  });

  it("public unicast passes; the IPv4 inside a mapped address decides for it", () => {
    expect(refusal("2606:4700:4700::1111")).toBeNull();
    expect(refusal("::ffff:8.8.8.8")).toBeNull();
    expect(refusal("::ffff:127.0.0.1")).toContain("loopback");
  });

  it.each([
    ["64:ff9b::808:808", null],
    ["64:ff9b::7f00:1", "loopback"],
    ["2002:808:808::1", null],
    ["2002:c0a8:101::1", "private"],
  ])("NAT64 and 6to4 addresses are judged by the IPv4 address inside: %s (%s)", (text, expected) => {
    if (expected === null) expect(refusal(text)).toBeNull();
    else expect(refusal(text)).toContain(expected);
  });

  it.each([
    // IPv4 anycast services (AS112, AMT relays) are reachable from anywhere: public.
    ["https://192.31.196.1/hook", true],
    ["https://192.175.48.6/hook", true],
    ["https://192.52.193.1/hook", true],
    // Special-purpose IPv6 ranges of the IANA registry that the hand-kept table missed.
    ["https://[3fff::1]/hook", false], // documentation, RFC 9637
    ["https://[5f00::1]/hook", false], // segment routing, RFC 9602
    ["https://[::ffff:0:a00:1]/hook", false], // IPv4-translated, RFC 6145
    ["https://[2620:4f:8000::1]/hook", false], // AS112 over IPv6
    ["https://[2001::1]/hook", false], // Teredo
    ["https://[2001:4:112::1]/hook", false], // inside 2001::/23 (IETF protocol assignments)
  ])("%s accepted: %s", (url, accepted) => {
    for (const live of [true, false]) {
      const res = checkWebhookUrl(url, rules(live, "deployed"));
      if (accepted) expect(res.ok, JSON.stringify(res)).toBe(true);
      else expect(res).toMatchObject({ ok: false, code: "url_private_address" });
    }
  });
});
