import { describe, expect, it } from "vitest";
import { call, createPartner, seedWorld } from "./helpers/harness";

describe("smoke", () => {
  it("health", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
  });
  it("quickstart", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    expect(w.kyc.status).toBe("verified");
  });
});
