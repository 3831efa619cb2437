import { createRoute, z } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { ExportFecInput, exportFec } from "../../services/exports/fec";
import { serviceContext } from "../context";

const route = createRoute({
  method: "get",
  path: "/exports/fec",
  operationId: "exportFec",
  tags: ["Exports"],
  summary: "Download the FEC (fichier des écritures comptables) of a year",
  description: [
    "The X-Entity-Id organization's accounting entries for a calendar year (Europe/Paris), in the format of art. A47 A-1 of the Livre des procédures fiscales, as an accountant imports it and as a tax audit asks for it (LPF L47 A-I).",
    "The 18 columns in the official order: `JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise`, a header line first; `|` between fields (or a tab, `separator=tab`), CRLF line ends, ISO 8859-15; dates `YYYYMMDD`; amounts in euros with a decimal comma and no thousands separator (`1234,56`), Debit and Credit both filled (`0,00` on the other side).",
    "Journal `VE` (Ventes): each issued invoice debits the customer account with its total including VAT and credits revenue (excluding VAT) and VAT collected, one line each per VAT rate; each credit note is the reverse. Journal `BQ` (Banque): each payment received (statuses completed, partially_refunded, refunded) debits the bank and credits the customer; each refund that succeeded is the reverse. Every entry (`EcritureNum`, numbered per journal: `VE000001`, `BQ000001`…) balances, debits equal credits. Dates are the documents' issue dates and the payments' and refunds' dates; `ValidDate` is the same day (entries are final when the document is issued or the money moves).",
    "Accounts: the organization's `accounting` settings (PATCH /v1/organizations/{id}), else the plan comptable général: 411000 customers, 706000 revenue, 445710 VAT collected, 512000 bank. Not in the file: auxiliary (per-customer) accounts and lettering (left empty), voided and pending payments, and payments in another currency than EUR (payment requests in USD or GBP: the FEC is kept in euros and no exchange rate is known). A deposit invoice (facture d'acompte) credits 419100 (customers' advances) instead of revenue; the final invoice that deducts it debits 419100 and the deposit's VAT back and credits the customer with the deposit, so revenue and VAT are counted once.",
    "The file is streamed as it is read, page by page. Named `{SIREN}FEC{YYYY}1231.txt` (closing date 31 December) in Content-Disposition. Scope `reports:read`.",
  ].join("\n\n"),
  middleware: [requireScope("reports:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ExportFecInput },
  responses: {
    200: {
      description: "The FEC file.",
      headers: z.object({ "content-disposition": z.string().openapi({ example: 'attachment; filename="552081317FEC20261231.txt"' }) }),
      content: {
        "text/plain": {
          schema: z.string().openapi({
            example:
              "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise\r\nVE|Ventes|VE000001|20260315|411000|Clients|||FAC-2026-00001|20260315|Facture FAC-2026-00001|120,00|0,00|||20260315||\r\nVE|Ventes|VE000001|20260315|706000|Prestations de services TVA 20 %|||FAC-2026-00001|20260315|Facture FAC-2026-00001|0,00|100,00|||20260315||\r\nVE|Ventes|VE000001|20260315|445710|TVA collectée 20 %|||FAC-2026-00001|20260315|Facture FAC-2026-00001|0,00|20,00|||20260315||\r\n",
          }),
        },
      },
    },
    ...errorResponses(404),
  },
});

export function registerExportFec(app: Router) {
  app.openapi(route, async (c) => {
    const { filename, stream } = await exportFec({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") });
    return new Response(stream, {
      status: 200,
      headers: { "Content-Type": "text/plain; charset=iso-8859-15", "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "private, no-store" },
    }) as never;
  });
}
