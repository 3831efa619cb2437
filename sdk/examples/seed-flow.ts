// sdk/README.md's example, as a module the SDK e2e runs against `wrangler dev` and `npm run
// sdk:build` type-checks: if the API or the SDK changes under it, `npm test` says so.
import { Paiements } from "@paiements/sdk";

export async function seedFlow(baseUrl: string, clientId: string, clientSecret: string) {
  const pay = new Paiements({ baseUrl, clientId, clientSecret });
  const address = { line1: "1 Place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" };
  const org = await pay.post("/v1/organizations", { body: { type: "public_entity", name: "Mairie de Lyon", siret: "21690123400019", vat_number: "FR21216901234", address } });
  const lyon = pay.withEntity(org.id); // X-Entity-Id on every call
  const dept = await lyon.post("/v1/organizations/{id}/departments", { params: { path: { id: org.id } }, body: { name: "Régie de l'Eau", code: "REG-EAU-001" } });
  const bank = { iban: "FR7612345678901234567890123", bic: "BNPAFRPPXXX", account_name: "Compte Régie Eau", is_default: true };
  await lyon.post("/v1/departments/{id}/bank_accounts", { params: { path: { id: dept.id } }, body: bank });
  const kyc = await lyon.post("/v1/departments/{id}/kyc", { params: { path: { id: dept.id } }, body: bank });
  const line = { description: "Consommation eau T1", quantity: 125, unit_price: 320, vat_rate: 5.5 } as const; // cents
  const draft = await lyon.post("/v1/invoices", { body: { department_id: dept.id, payer: { name: "Jean Dupont", email: "jean.dupont@example.com" }, line_items: [line] } });
  const invoice = await lyon.post("/v1/invoices/{id}/issue", { params: { path: { id: draft.id } } });
  const link = await lyon.post("/v1/payment_links", { body: { invoice_id: invoice.id } });
  const paid = await pay.post("/v1/sandbox/payment_intents/{id}/simulate", { params: { path: { id: link.payment_intent_id } }, body: { outcome: "succeeded" } });
  const refund = await lyon.post("/v1/refunds", { body: { payment_intent_id: link.payment_intent_id, amount: 10000, reason: "Remise commerciale de 100€" } });
  const events = [];
  for await (const event of pay.list("/v1/events")) events.push(event.type);
  return { org, dept, kyc, invoice, link, paid, refund, events };
}
