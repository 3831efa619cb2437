import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../../env";
import { createRouter, jsonResponse } from "../../lib/openapi";
import { IssueTokenInput, issueThrottledToken, OAuthError, type TokenRequest } from "../../services/auth/issue-token";

const OAuthErrorSchema = z
  .object({
    error: z.enum(["invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type", "invalid_scope"]),
    error_description: z.string(),
  })
  .openapi("OAuthError", { description: "RFC 6749 §5.2 error (this endpoint only)." });

const route = createRoute({
  method: "post",
  path: "/token",
  operationId: "createAccessToken",
  tags: ["Auth"],
  summary: "Get an access token (OAuth2 client credentials)",
  description:
    "JSON or `application/x-www-form-urlencoded` body; the client may also authenticate with HTTP Basic. Tokens last one hour and carry the mode (test/live) of the credential.",
  security: [],
  request: {
    // Not marked required: with two media types, the validator of the one not sent must let it through.
    body: {
      required: false,
      content: {
        "application/json": { schema: IssueTokenInput, example: { grant_type: "client_credentials", client_id: "votre_client_id", client_secret: "votre_client_secret", scope: "partner" } },
        "application/x-www-form-urlencoded": { schema: IssueTokenInput },
      },
    },
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          access_token: z.string().openapi({ example: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…" }),
          token_type: z.literal("Bearer"),
          expires_in: z.number().int().openapi({ example: 3600 }),
          scope: z.string().openapi({ example: "partner" }),
        })
        .openapi("AccessToken"),
      "An access token.",
    ),
    400: jsonResponse(OAuthErrorSchema, "invalid_request, unsupported_grant_type or invalid_scope."),
    401: jsonResponse(OAuthErrorSchema, "invalid_client: unknown client, wrong secret, or revoked credential."),
    429: {
      ...jsonResponse(
        OAuthErrorSchema,
        "invalid_client: too many failed client authentications for this client_id (10 a minute) or from this address (30 a minute). Every attempt is refused until the window ends, the right secret included; `Retry-After` says when to try again. Successful requests are never counted.",
      ),
      headers: { "Retry-After": { description: "Seconds before the next attempt is taken.", schema: { type: "integer" } } },
    },
  },
});

/** RFC 6749 §5.2: a failed client authentication is 401 (429 while the client is throttled), any other refusal 400. */
function oauthError(c: Context<AppEnv>, err: OAuthError) {
  const status = err.retryAfterSeconds !== undefined ? 429 : err.error === "invalid_client" ? 401 : 400;
  c.header("Cache-Control", "no-store");
  if (status === 401) c.header("WWW-Authenticate", 'Basic realm="paiements-api"');
  if (err.retryAfterSeconds !== undefined) c.header("Retry-After", String(err.retryAfterSeconds));
  return c.json({ error: err.error, error_description: err.description }, status);
}

/** HTTP Basic client authentication (RFC 6749 §2.3.1), values form-urlencoded. */
function basicCredentials(header: string | undefined): Pick<TokenRequest, "client_id" | "client_secret"> {
  const match = /^Basic\s+(\S+)$/i.exec(header?.trim() ?? "");
  if (!match) return {};
  try {
    const decoded = atob(match[1]!);
    const i = decoded.indexOf(":");
    if (i < 0) return {};
    return { client_id: decodeURIComponent(decoded.slice(0, i)), client_secret: decodeURIComponent(decoded.slice(i + 1)) };
  } catch {
    throw new OAuthError("invalid_request", "Malformed HTTP Basic credentials.");
  }
}

export function authRoutes() {
  // RFC 6749 §3.2: the token endpoint MUST ignore unrecognized request parameters.
  const app = createRouter({ strictQuery: false });
  app.onError((err, c) => {
    if (err instanceof OAuthError) return oauthError(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      return oauthError(c, new OAuthError("invalid_request", err.status === 415 ? "Send JSON or application/x-www-form-urlencoded." : err.message));
    }
    throw err;
  });
  app.openapi(
    route,
    async (c) => {
      const type = c.req.header("content-type") ?? "";
      const body = (type.includes("json") ? c.req.valid("json") : c.req.valid("form")) as TokenRequest;
      const basic = basicCredentials(c.req.header("authorization"));
      const token = await issueThrottledToken({
        env: c.env,
        db: c.get("db"),
        timer: c.get("timer"),
        ip: c.req.header("cf-connecting-ip") ?? null,
        req: { ...body, ...pick(basic, body) },
      });
      c.header("Cache-Control", "no-store");
      c.header("Pragma", "no-cache");
      return c.json(token, 200);
    },
    (result, c) => {
      if (result.success) return;
      const issue = (result.error as unknown as { issues: { path: PropertyKey[]; message: string }[] }).issues[0];
      return oauthError(c, new OAuthError("invalid_request", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`));
    },
  );
  return app;
}

/** Basic credentials fill in what the body lacks; when both are given they must agree. */
function pick(basic: Pick<TokenRequest, "client_id" | "client_secret">, body: TokenRequest) {
  if (basic.client_id && body.client_id && basic.client_id !== body.client_id) {
    throw new OAuthError("invalid_request", "client_id differs between the body and the Authorization header.");
  }
  return { client_id: body.client_id ?? basic.client_id, client_secret: body.client_secret ?? basic.client_secret };
}
