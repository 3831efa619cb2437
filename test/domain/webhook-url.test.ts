import { describe, expect, it } from "vitest";
import { checkWebhookUrl, ipv6Refusal, parseIPv6 } from "../../src/domain/webhook-url";

/** Which URLs a partner may register (and the platform may call). */

describe("checkWebhookUrl", () => {
  it.each([
    ["https://votreapp.fr/webhooks/payment-api", "https://votreapp.fr/webhooks/payment-api"],
    ["https://VotreApp.FR:8443/hooks?x=1", "https://votreapp.fr:8443/hooks?x=1"],
    ["https://8.8.8.8/hook", "https://8.8.8.8/hook"],
    ["https://[2606:4700:4700::1111]/hook", "https://[2606:4700:4700::1111]/hook"],
    ["https://93.184.216.34./x", "https://93.184.216.34/x"],
  ])("accepts %s in both modes", (url, normalized) => {
    for (const live of [true, false]) expect(checkWebhookUrl(url, live)).toEqual({ ok: true, url: normalized });
  });

  it.each([
    "http://localhost:9999/hook",
    "http://127.0.0.1:9999/hook",
    "https://localhost/hook",
    "http://127.0.0.2/hook",
    "http://[::1]:9999/hook",
    "http://dev.localhost:3000/",
    "http://localhost.:9999/",
  ])("test mode accepts the loopback receiver %s; live mode refuses it", (url) => {
    expect(checkWebhookUrl(url, false).ok).toBe(true);
    const live = checkWebhookUrl(url, true);
    expect(live.ok).toBe(false);
    expect(live.ok === false && ["url_not_https", "url_private_address"]).toContain(live.ok === false && live.code);
  });

  it.each([
    ["not a url", "invalid_url"],
    ["votreapp.fr/webhooks", "invalid_url"],
    ["ftp://votreapp.fr/hook", "invalid_url"],
    ["javascript:alert(1)", "invalid_url"],
    ["https://user:pass@votreapp.fr/hook", "invalid_url"],
    ["http://votreapp.fr/hook", "url_not_https"],
  ])("refuses %s in both modes (%s)", (url, code) => {
    for (const live of [true, false]) expect(checkWebhookUrl(url, live)).toMatchObject({ ok: false, code });
  });

  it("live mode refuses http even to a public host", () => {
    expect(checkWebhookUrl("http://votreapp.fr/hook", true)).toMatchObject({ ok: false, code: "url_not_https", message: "must use https:// in live mode" });
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
    for (const live of [true, false]) expect(checkWebhookUrl(url, live)).toMatchObject({ ok: false, code: "url_private_address" });
  });

  it("refuses loopback in live mode as a private address, naming it", () => {
    const res = checkWebhookUrl("https://127.0.0.1/hook", true);
    expect(res).toMatchObject({ ok: false, code: "url_private_address" });
    expect(res.ok === false && res.message).toContain("loopback");
  });
});

describe("IPv6 parsing", () => {
  it.each([
    ["::1", [0, 0, 0, 0, 0, 0, 0, 1]],
    ["[::1]", [0, 0, 0, 0, 0, 0, 0, 1]],
    ["2001:db8::8:800:200c:417a", [0x2001, 0xdb8, 0, 0, 0x8, 0x800, 0x200c, 0x417a]],
    ["::ffff:1.2.3.4", [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]],
    ["::1.2.3.4", [0, 0, 0, 0, 0, 0, 0x102, 0x304]],
    ["1:2:3:4:5:6:7:8", [1, 2, 3, 4, 5, 6, 7, 8]],
  ])("%s", (text, groups) => expect(parseIPv6(text)).toEqual(groups));

  it.each(["1:2:3", "1::2::3", "::g", "1:2:3:4:5:6:7:8:9", "12345::"])("rejects %s", (text) => expect(parseIPv6(text)).toBeNull());

  it("public unicast passes; the IPv4 inside a mapped address decides for it", () => {
    expect(ipv6Refusal(parseIPv6("2606:4700:4700::1111")!)).toBeNull();
    expect(ipv6Refusal(parseIPv6("::ffff:8.8.8.8")!)).toBeNull();
    expect(ipv6Refusal(parseIPv6("::ffff:127.0.0.1")!)).toContain("loopback");
  });
});
