import type { Router } from "../../lib/openapi";
import { registerAcceptQuote } from "./accept";
import { registerCreateQuote } from "./create";
import { registerDeclineQuote } from "./decline";
import { registerDownloadQuotePdf } from "./download-pdf";
import { registerGetQuote } from "./get";
import { registerListQuotes } from "./list";
import { registerSendQuote } from "./send";
import { registerUpdateQuote } from "./update";

export function registerQuoteRoutes(app: Router) {
  registerListQuotes(app);
  registerCreateQuote(app);
  registerGetQuote(app);
  registerDownloadQuotePdf(app);
  registerUpdateQuote(app);
  registerSendQuote(app);
  registerAcceptQuote(app);
  registerDeclineQuote(app);
}
