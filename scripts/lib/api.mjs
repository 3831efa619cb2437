// A small client of the public API for the bench and soak scripts: the README walk-through
// (partner → token → organization → department → bank account → invoice → issue → link →
// sandbox payment → refund), over fetch on loopback.
import { randomUUID } from "node:crypto";

export const SECRETS = {
  ADMIN_API_KEY: "bench_admin_key_0123456789abcdef",
  JWT_SECRET: "bench_jwt_secret_0123456789abcdef0123456789abcdef",
  ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
};

export class ApiError extends Error {
  constructor(method, path, status, text) {
    super(`${method} ${path} → ${status}: ${text.slice(0, 500)}`);
    this.status = status;
    this.text = text;
  }
}

/**
 * Calls of one caller (admin key or partner token) against `base`; `entity` is the X-Entity-Id.
 * @param {string} base
 * @param {{ auth?: string, entity?: string }} [caller]
 */
export function client(base, { auth, entity } = {}) {
  const call = async (method, path, body, headers = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: auth } : {}),
        ...(entity ? { "x-entity-id": entity } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  };
  const ok = async (method, path, body, headers) => {
    const res = await call(method, path, body, headers);
    if (res.status < 200 || res.status > 299) throw new ApiError(method, path, res.status, res.text);
    return res.body;
  };
  return { base, call, ok, auth, entity, with: (more) => client(base, { auth, entity, ...more }) };
}

export const idempotencyKey = () => `bench-${randomUUID()}`;

/**
 * An enterprise partner (no rate limit), its OAuth token (verified without storage, so reads
 * cost no key lookup), an organization, a department and its default bank account.
 */
export async function seedTenant(base, { name = "Bench partner" } = {}) {
  const admin = client(base, { auth: `Bearer ${SECRETS.ADMIN_API_KEY}` });
  const partner = await admin.ok("POST", "/v1/admin/partners", { name, plan: "enterprise" });
  const creds = partner.credentials;
  const token = await client(base).ok("POST", "/v1/auth/token", {
    grant_type: "client_credentials",
    client_id: creds.client_id,
    client_secret: creds.client_secret,
    scope: "partner",
  });
  const auth = `Bearer ${token.access_token}`;
  const api = client(base, { auth });
  const org = await api.ok("POST", "/v1/organizations", {
    type: "public_entity",
    name: "Mairie de Lyon",
    siret: "21690123400019",
    vat_number: "FR21216901234",
    address: { line1: "1 Place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" },
    branding: { display_name: "Ville de Lyon", primary_color: "#1A4B8C", support_email: "regies@mairie-lyon.fr" },
  });
  const dept = await api.ok("POST", `/v1/organizations/${org.id}/departments`, { name: "Régie de l'Eau", code: "REG-EAU-001" });
  await api.ok("POST", `/v1/departments/${dept.id}/bank_accounts`, {
    iban: "FR7612345678901234567890123",
    bic: "BNPAFRPPXXX",
    account_name: "Compte Régie Eau",
    bank_name: "BNP Paribas",
    is_default: true,
  });
  return { partner, creds, auth, token: token.access_token, org, dept, api: api.with({ entity: org.id }) };
}

/**
 * The seed 001 invoice body (125 × 3.20 € at 5.5 % = 422.00 €), or one line of `unitPrice` cents.
 * @param {string} deptId
 * @param {{ unitPrice?: number, quantity?: number, vatRate?: number }} [line]
 */
export function invoiceBody(deptId, { unitPrice, quantity = 1, vatRate = 20 } = {}) {
  return {
    department_id: deptId,
    payer: { name: "Jean Dupont", email: "jean.dupont@example.com" },
    line_items: unitPrice === undefined
      ? [{ description: "Consommation eau T1 2024", quantity: 125, unit_price: 320, vat_rate: 5.5 }]
      : [{ description: "Abonnement", quantity, unit_price: unitPrice, vat_rate: vatRate }],
    due_date: "2099-03-31",
  };
}

/** Runs `fn` over `items` with at most `concurrency` at once. */
export async function pool(items, concurrency, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/** Every item of a paginated list endpoint (`page_size` 100), bounded by `maxPages`. */
export async function listAll(api, path, { maxPages = 1000 } = {}) {
  const sep = path.includes("?") ? "&" : "?";
  const items = [];
  for (let page = 1; page <= maxPages; page++) {
    const res = await api.ok("GET", `${path}${sep}page=${page}&page_size=100`);
    items.push(...res.data);
    if (!res.pagination || page >= res.pagination.total_pages) return items;
  }
  throw new Error(`${path}: more than ${maxPages} pages`);
}

export function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
