import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PartnerGate, PERSIST_EVERY } from "../../src/durable/partner-gate";
import { PLAN_RATE_LIMITS } from "../../src/domain/plans";
import type { Env } from "../../src/env";

// The gate keeps a window's count in memory and writes it every PERSIST_EVERY requests: a new
// instance of the object (a deploy or a crash mid-minute) must never admit more than the limit.

const LIMIT = PLAN_RATE_LIMITS.standard!;
const NOW = Date.UTC(2026, 11, 5, 10, 0, 10); // 10 s into a window

function storedCount(state: DurableObjectState, mode: string): number | null {
  const row = state.storage.sql.exec<{ count: number }>("SELECT count FROM request_windows WHERE mode = ?", mode).toArray()[0];
  return row?.count ?? null;
}

describe("PartnerGate window count", () => {
  it("is written on the window's first request and every PERSIST_EVERY-th, not on each", async () => {
    const stub = env.PARTNER_GATE.getByName(`gate-persist-${crypto.randomUUID()}`);
    await runInDurableObject(stub, (gate: PartnerGate, state) => {
      gate.hit("cred_a", "test", "standard", NOW);
      expect(storedCount(state, "test")).toBe(1);
      for (let i = 2; i <= PERSIST_EVERY; i++) gate.hit("cred_a", "test", "standard", NOW);
      expect(storedCount(state, "test")).toBe(1);
      const d = gate.hit("cred_a", "test", "standard", NOW);
      expect(storedCount(state, "test")).toBe(PERSIST_EVERY + 1);
      // What the caller is told is the exact in-memory count.
      expect(d.remaining).toBe(LIMIT - (PERSIST_EVERY + 1));
      // Modes count apart.
      gate.hit("cred_live", "live", "standard", NOW);
      expect(storedCount(state, "live")).toBe(1);
    });
  });

  it("a new instance mid-window resumes at the most that can have been admitted: never over the limit", async () => {
    for (const admittedBefore of [1, 5, PERSIST_EVERY, PERSIST_EVERY + 1, 40, 99]) {
      const stub = env.PARTNER_GATE.getByName(`gate-restart-${crypto.randomUUID()}`);
      await runInDurableObject(stub, (gate: PartnerGate, state) => {
        for (let i = 0; i < admittedBefore; i++) expect(gate.hit("cred_a", "test", "standard", NOW).allowed).toBe(true);
        // The same storage, a fresh object: what a restart sees.
        const restarted = new PartnerGate(state, env as unknown as Env);
        let admittedAfter = 0;
        while (restarted.hit("cred_a", "test", "standard", NOW + 1_000).allowed) admittedAfter++;
        expect(admittedBefore + admittedAfter).toBeLessThanOrEqual(LIMIT);
        expect(admittedBefore + admittedAfter).toBeGreaterThanOrEqual(LIMIT - (PERSIST_EVERY - 1));
        // The next window starts from zero.
        const next = restarted.hit("cred_a", "test", "standard", NOW + 60_000);
        expect(next.remaining).toBe(LIMIT - 1);
      });
    }
  });
});
