import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { createPaymentLink, CreatePaymentLinkInput } from "../../services/payment-links/create-payment-link";
import { serviceContext } from "../context";
import { PaymentLinkSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/payment_links",
  operationId: "createPaymentLink",
  tags: ["Payment links"],
  summary: "Create a payment link (and its payment intent) for an issued invoice, or a payment request without an invoice",
  description:
    "Seed 001 \"Étape 3\". Only issued, partially paid or overdue invoices take links (409 otherwise). The active links of an invoice, and its holds not yet captured, never add up to more than its amount due (422 `amount_exceeds_due`, naming what remains; 422 `nothing_left_to_pay` when nothing remains: all of it is in active links or holds). Live mode pays into the department's default bank account and needs that account covered by a verified KYC: 422 `bank_account_required` without a default account, `bank_account_not_verified` when no KYC covers it (e.g. a new default IBAN), `kyc_not_verified` when its KYC is pending or rejected; the message names the account. Test mode does not check KYC.\n\n" +
    "**Payment request without an invoice** (seed 003 \"demande de paiement\"): instead of `invoice_id`, give `amount`, `description` and `payer` (`currency` `EUR` by default, or `USD`, `GBP`: SEPA transfer only in euros, else 400 `currency_not_supported` naming `payment_methods`). Both kinds at once, or neither, or half a request → 400 naming the field. In live mode a request needs `department_id` (422 `department_required`), whose default account is checked as above. `send: {channel, locale?, to?}` sends the link at once (the message is in `GET /v1/messages`; in test mode nothing leaves the platform): no recipient → 422 `recipient_missing`, a bad one → 400 `invalid_email` / `invalid_phone`. `type: preauth` (card only, else 400 `preauth_card_only`) takes a hold. Nothing is written when a request fails. Emits `payment_link.created` (the payer sealed in storage).",
  middleware: [requireScope("payments:write"), requireEntity] as const,
  request: {
    headers: EntityHeader.merge(IdempotencyHeader),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: CreatePaymentLinkInput,
          examples: {
            invoice: {
              summary: "An invoice's link (seed 001)",
              value: { invoice_id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", payment_methods: ["sepa_credit", "card"], return_url: "https://votreapp.fr/payment/success" },
            },
            request: {
              summary: "A payment request sent by SMS (seed 003)",
              value: {
                amount: 4500,
                currency: "EUR",
                description: "Inscription stage de voile, juillet",
                payer: { name: "Jean Dupont", email: "jean.dupont@example.com", phone: "06 12 34 56 78" },
                send: { channel: "sms", locale: "fr" },
              },
            },
            hold: {
              summary: "A card hold (seed 003 \"caution\")",
              value: { type: "preauth", amount: 15000, description: "Caution location salle des fêtes, 14 juin", payer: { name: "Jean Dupont", email: "jean.dupont@example.com" } },
            },
          },
        },
      },
    },
  },
  responses: { 201: jsonResponse(PaymentLinkSchema, "The link, with its payment page URL."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerCreatePaymentLink(app: Router) {
  app.openapi(route, async (c) => c.json(await createPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("json") }), 201));
}
