import type { Router } from "../../lib/openapi";
import { registerDownloadCreditNotePdf } from "./download-pdf";
import { registerDownloadCreditNoteXml } from "./download-xml";
import { registerGetCreditNote } from "./get";
import { registerListCreditNotes } from "./list";

export function registerCreditNoteRoutes(app: Router) {
  registerListCreditNotes(app);
  registerGetCreditNote(app);
  registerDownloadCreditNotePdf(app);
  registerDownloadCreditNoteXml(app);
}
