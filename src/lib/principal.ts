import type { Scope } from "../domain/scopes";

export type Mode = "test" | "live";
export type Plan = "standard" | "business" | "enterprise";

/** Who is calling: resolved once by the auth middleware, carried by every service call. */
export interface Principal {
  partnerId: string;
  credentialId: string;
  mode: Mode;
  livemode: boolean;
  plan: Plan;
  scopes: readonly Scope[];
  /** How the caller authenticated, for the audit trail. */
  via: "access_token" | "api_key";
}
