import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { Env } from "../../src/env";
import worker from "../../src/index";

/**
 * The test harness: every call goes through the real worker (exports.default.fetch) with real
 * D1 and Durable Objects. Each test makes its own partner, so tests share no state.
 */

export const ORIGIN = "https://api.test";

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** Sent as is (for malformed JSON and wrong content types). */
  rawBody?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
  /** Bindings that differ from the test worker's (e.g. DEPLOYED): the worker is then called with them. */
  env?: Partial<Env>;
}

/** What a worker deployed on Cloudflare has that the local one (wrangler dev, tests) has not. */
export const DEPLOYED: Partial<Env> = { ENVIRONMENT: "production" };

/** The worker with some bindings changed, run as Cloudflare would run it. */
async function fetchWithEnv(request: Request, overrides: Partial<Env>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export async function call<T = any>(path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const request = new Request(`${ORIGIN}${path}`, { method: options.method ?? (body !== undefined ? "POST" : "GET"), headers, body });
  const res = options.env ? await fetchWithEnv(request, options.env) : await exports.default.fetch(request);
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, headers: res.headers, text };
}

export function adminHeaders() {
  return { authorization: `Bearer ${env.ADMIN_API_KEY}` };
}

export interface IssuedCredential {
  id: string;
  client_id: string;
  client_secret: string;
  publishable_key: string;
  secret_key: string;
  mode: "test" | "live";
  scopes: string[];
}

export interface Tenant {
  partnerId: string;
  credential: IssuedCredential;
  /** An access token for the credential (scope `partner`). */
  token: string;
}

export async function accessToken(credential: IssuedCredential, scope?: string): Promise<string> {
  const res = await call("/v1/auth/token", {
    body: { grant_type: "client_credentials", client_id: credential.client_id, client_secret: credential.client_secret, ...(scope ? { scope } : {}) },
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${res.text}`);
  return res.body.access_token;
}

export async function createPartner(input: { name?: string; plan?: "standard" | "business" | "enterprise" } = {}): Promise<Tenant> {
  const res = await call("/v1/admin/partners", {
    headers: adminHeaders(),
    body: { name: input.name ?? "Test partner", ...(input.plan ? { plan: input.plan } : {}) },
  });
  if (res.status !== 201) throw new Error(`create partner: ${res.status} ${res.text}`);
  const credential = res.body.credentials as IssuedCredential;
  return { partnerId: res.body.id, credential, token: await accessToken(credential) };
}

export async function issueCredential(partnerId: string, mode: "test" | "live", scopes?: string[]): Promise<IssuedCredential> {
  const res = await call(`/v1/admin/partners/${partnerId}/credentials`, {
    headers: adminHeaders(),
    body: { mode, ...(scopes ? { scopes } : {}) },
  });
  if (res.status !== 201) throw new Error(`issue credential: ${res.status} ${res.text}`);
  return res.body;
}

/** Seed 001 quickstart bodies, verbatim. */
export const SEED = {
  organization: {
    type: "public_entity",
    name: "Mairie de Lyon",
    siret: "21690123400019",
    vat_number: "FR21216901234",
    address: { line1: "1 Place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" },
  },
  department: { name: "Régie de l'Eau", code: "REG-EAU-001", description: "Gestion des factures d'eau potable" },
  bankAccount: {
    iban: "FR7612345678901234567890123",
    bic: "BNPAFRPPXXX",
    account_name: "Compte Régie Eau",
    bank_name: "BNP Paribas",
    is_default: true,
  },
  kyc: {
    iban: "FR7612345678901234567890123",
    bic: "BNPAFRPPXXX",
    account_name: "Compte Régie Eau",
    bank_name: "BNP Paribas",
    is_default: true,
  },
} as const;

/** Seed 001 "Étape 1", verbatim but for the department id. */
export function seedInvoiceBody(departmentId: string) {
  return {
    department_id: departmentId,
    payer: {
      name: "Jean Dupont",
      email: "jean.dupont@example.com",
      address: { line1: "15 rue de la Paix", postal_code: "69002", city: "Lyon", country: "FR" },
    },
    line_items: [{ description: "Consommation eau T1 2024", quantity: 125, unit_price: 320, vat_rate: 5.5 }],
    due_date: "2024-03-31",
    payment_terms: "Paiement sous 30 jours",
  };
}

/** A checksum-valid organization, as live mode requires. */
export const VALID_ORGANIZATION = {
  type: "company",
  name: "EDF",
  siret: "55208131766522",
  vat_number: "FR03552081317",
} as const;

export async function expectOk<T = any>(res: CallResult<T>, status = 200): Promise<T> {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  return res.body;
}

/** Organization → department → bank account → KYC → draft invoice, through the API (seed 001 quickstart and "Étape 1"). */
export async function seedWorld(t: Tenant) {
  const org = await expectOk(await call("/v1/organizations", { token: t.token, body: SEED.organization }), 201);
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: SEED.department }), 201);
  const account = await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token, body: SEED.bankAccount }), 201);
  const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: t.token, body: SEED.kyc }), 201);
  const invoice = await expectOk(
    await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": org.id }, body: seedInvoiceBody(dept.id) }),
    201,
  );
  return { org, dept, account, kyc, invoice };
}
