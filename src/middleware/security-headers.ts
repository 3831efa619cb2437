import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { Env } from "../env";

/** Two years, the value hstspreload.org asks for; subdomains included (they are ours too). */
export const HSTS = "max-age=63072000; includeSubDomains";

/**
 * hono/secure-headers with every header off, to turn on one by one: its defaults would frame-protect
 * and same-origin-lock every response, and partner sites embed the QR image (`/p/{token}/qr.svg`)
 * from their own origin. The payment pages add their own set (pages/security.ts).
 */
export const NO_SECURE_HEADERS = {
  crossOriginEmbedderPolicy: false,
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  strictTransportSecurity: false,
  xContentTypeOptions: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} as const;

const deployed = secureHeaders({ ...NO_SECURE_HEADERS, xContentTypeOptions: true, strictTransportSecurity: HSTS });
const localDevelopment = secureHeaders({ ...NO_SECURE_HEADERS, xContentTypeOptions: true });

/**
 * Every response: nosniff, and on a deployed worker HSTS, since it is reached over https only and
 * browsers must never try plain http again (credentials, tokens and payment pages). Not in local
 * development, which is plain http.
 */
export const securityHeaders = createMiddleware<{ Bindings: Env }>((c, next) => (c.env.ENVIRONMENT === "development" ? localDevelopment : deployed)(c, next));
