/** A partner's API credential: `active` until revoked, which is final. */
export const CREDENTIAL_STATUSES = ["active", "revoked"] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];
