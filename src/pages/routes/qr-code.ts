import qrcode from "qrcode-generator";
import { isClosed, pageState } from "../../domain/payment-page";
import { pageUrl } from "../../lib/page-urls";
import type { PageApp } from "../env";
import { loadPage } from "../request";
import { closed, notFound } from "../responses";

/**
 * GET /p/:token/qr.svg — the QR code of the page URL (qr_code_data), as SVG. Answered as the page
 * is: a revoked or expired link has no QR code, only its closed page (410). Cached privately and
 * briefly, so a link revoked after a scan stops being shown within minutes.
 */
export function registerQrCode(app: PageApp) {
  app.get("/:token/qr.svg", async (c) => {
    const token = c.req.param("token");
    const p = await loadPage(c, token);
    if (!p) return notFound(c);
    const state = pageState(p);
    if (isClosed(state)) return closed(c, p, state);
    const qr = qrcode(0, "M");
    qr.addData(pageUrl(c.env.PUBLIC_BASE_URL, token));
    qr.make();
    const title = c.get("lang") === "en" ? "QR code of the payment page" : "QR code de la page de paiement";
    const svg = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true, title } as Parameters<typeof qr.createSvgTag>[0] & { title: string });
    return c.body(svg, 200, { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "private, max-age=300" });
  });
}
