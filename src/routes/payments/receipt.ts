import { createRoute, z } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, fileBody, fileResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getPaymentReceipt } from "../../services/payments/receipt";
import { serviceContext } from "../context";

const route = createRoute({
  method: "get",
  path: "/payments/{id}/receipt",
  operationId: "getPaymentReceipt",
  tags: ["Payments"],
  summary: "Download a payment's receipt (reçu, ticket de paiement)",
  description:
    "A PDF/A receipt of one payment: payee, payer, amount, date and time (Europe/Paris), method, the invoice it pays and what remains due after it, and a receipt number `<invoice number>-R<rank of the payment on the invoice>`. A payment request's payment (no invoice) names the request's description and payer instead, and is numbered `DP-<the payment id, upper-cased, without its pay- prefix>`. A captured card hold's receipt is of the captured amount, with the authorized amount. Rendered on each call from the ledger; not an invoice (no Factur-X). Scope `payments:read`.",
  middleware: [requireScope("payments:read"), entityFromHeaderOrObject] as const,
  request: {
    params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }) }),
    headers: ObjectEntityHeader,
  },
  responses: { 200: fileResponse("application/pdf", "The receipt."), ...errorResponses(404, 409) },
});

export function registerGetPaymentReceipt(app: Router) {
  app.openapi(route, async (c) => fileBody(await getPaymentReceipt({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id })) as never);
}
