import { z } from "@hono/zod-openapi";
import { CREDENTIAL_STATUSES } from "../../domain/credential";
import { Timestamp } from "../../lib/fields";
import { PlanSchema, ScopeSchema } from "../../services/partners/admin";

export const CredentialSchema = z
  .object({
    id: z.string().openapi({ example: "cred-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("credential"),
    mode: z.enum(["test", "live"]),
    livemode: z.boolean(),
    client_id: z.string().openapi({ example: "cli_test_4eC39HqLyjWDarjtT1zdp7dc" }),
    publishable_key: z.string().openapi({ example: "pk_test_TYooMQauvdEDq54NiTphI7jx" }),
    secret_key_hint: z.string().openapi({ description: "Last characters of the secret key, to tell keys apart.", example: "sk_test_…p7dc" }),
    scopes: z.array(ScopeSchema),
    status: z.enum(CREDENTIAL_STATUSES),
    revoked_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Credential");

export const IssuedCredentialSchema = CredentialSchema.extend({
  client_secret: z.string().openapi({ description: "Shown this once; only its hash is stored.", example: "cs_test_…" }),
  secret_key: z.string().openapi({ description: "Shown this once; only its hash is stored.", example: "sk_test_…" }),
}).openapi("IssuedCredential");

export const PartnerSchema = z
  .object({
    id: z.string().openapi({ example: "ptn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("partner"),
    name: z.string().openapi({ example: "Acme Intégrations" }),
    plan: PlanSchema,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Partner");

export const PartnerIdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ptn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }) });

export const ADMIN_SECURITY = [{ adminKey: [] }];
