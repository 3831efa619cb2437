import { describe, expect, it } from "vitest";
import { randomToken, safeEqual, seal, sha256Hex, unseal } from "../../src/lib/crypto";
import { isId, newId, uuidv7 } from "../../src/lib/ids";

const KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

describe("ids", () => {
  it("are <prefix>-<uuidv7> and recognised by kind", () => {
    const id = newId("organization");
    expect(id).toMatch(/^org-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isId("organization", id)).toBe(true);
    expect(isId("department", id)).toBe(false);
    expect(isId("organization", `${id}x`)).toBe(false);
  });

  it("sort in the order minted, even within one millisecond", () => {
    const ms = Date.now();
    const ids = Array.from({ length: 500 }, () => uuidv7(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("embed the timestamp", () => {
    const id = uuidv7(Date.UTC(2030, 0, 1));
    expect(parseInt(id.replaceAll("-", "").slice(0, 12), 16)).toBeGreaterThanOrEqual(Date.UTC(2030, 0, 1));
  });

  it("carry a later millisecond exactly, big-endian, in RFC 9562's layout", () => {
    const ms = Date.UTC(2030, 0, 1, 12, 34, 56, 789);
    const id = uuidv7(ms);
    const hex = id.replaceAll("-", "");
    expect(hex.slice(0, 12)).toBe(BigInt(ms).toString(16).padStart(12, "0"));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("crypto", () => {
  it("seals with AES-GCM bound to its context", async () => {
    const sealed = await seal(KEY, "FR7630006000011234567890189", "bank_account:ba-1");
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain("FR76");
    expect(await unseal(KEY, sealed, "bank_account:ba-1")).toBe("FR7630006000011234567890189");
    await expect(unseal(KEY, sealed, "bank_account:ba-2")).rejects.toThrow();
    // A fresh IV each time: the same plaintext never seals the same way twice.
    expect(await seal(KEY, "same", "c")).not.toBe(await seal(KEY, "same", "c"));
  });

  it("refuses a key that is not 32 bytes", async () => {
    await expect(seal("c2hvcnQ=", "x", "c")).rejects.toThrow(/32 bytes/);
  });

  it("makes unbiased base62 tokens and compares in constant time", async () => {
    const token = randomToken(40);
    expect(token).toMatch(/^[0-9A-Za-z]{40}$/);
    expect(await safeEqual("abc", "abc")).toBe(true);
    expect(await safeEqual("abc", "abd")).toBe(false);
    expect(await safeEqual("abc", "abcd")).toBe(false);
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
