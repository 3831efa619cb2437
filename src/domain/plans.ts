import type { Plan } from "../lib/principal";

/** Requests per minute per partner and mode (each mode has its own window), by plan (seed 004); `null` is unlimited. */
export const PLAN_RATE_LIMITS: Record<Plan, number | null> = {
  standard: 100,
  business: 1000,
  enterprise: null,
};

export const DEFAULT_PLAN: Plan = "business";
