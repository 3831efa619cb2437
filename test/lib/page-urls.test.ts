import { describe, expect, it } from "vitest";
import { pagePath, paymentLinkUrls, withQuery } from "../../src/lib/page-urls";

/** The payment page's addresses, as partners (payment_link fields) and payers' browsers (redirects) see them. */

const TOKEN = "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE";

describe("page URLs", () => {
  it("gives a link its page, QR data and QR image addresses under PUBLIC_BASE_URL, with or without a trailing slash", () => {
    for (const base of ["https://pay.example.fr", "https://pay.example.fr/"]) {
      expect(paymentLinkUrls(base, TOKEN)).toEqual({
        payment_page_url: `https://pay.example.fr/p/${TOKEN}`,
        qr_code_data: `https://pay.example.fr/p/${TOKEN}`,
        qr_code_svg_url: `https://pay.example.fr/p/${TOKEN}/qr.svg`,
      });
    }
  });

  it("builds same-origin screen paths with their query in order, leaving out absent values", () => {
    expect(pagePath(TOKEN)).toBe(`/p/${TOKEN}`);
    expect(pagePath(TOKEN, "/bank")).toBe(`/p/${TOKEN}/bank`);
    expect(pagePath(TOKEN, "", { lang: "fr", poll: 3 })).toBe(`/p/${TOKEN}?lang=fr&poll=3`);
    expect(pagePath(TOKEN, "/card/3ds", { lang: "en", ref: "sbx-card-abc12345", card: `4242.${"a".repeat(64)}`, x: undefined })).toBe(
      `/p/${TOKEN}/card/3ds?lang=en&ref=sbx-card-abc12345&card=4242.${"a".repeat(64)}`,
    );
  });

  it("adds query parameters to a provider's redirect, keeping a path a path", () => {
    expect(withQuery(`/p/${TOKEN}/bank`, { lang: "fr", ref: "sbx-consent-x" })).toBe(`/p/${TOKEN}/bank?lang=fr&ref=sbx-consent-x`);
    expect(withQuery("https://bank.example/consent?id=1", { lang: "en" })).toBe("https://bank.example/consent?id=1&lang=en");
  });
});
