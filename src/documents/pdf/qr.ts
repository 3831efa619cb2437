// The QR code of a payment URL, drawn as vector rectangles (no image: sharp at any zoom, nothing to
// colour-manage in PDF/A). Each run of dark modules in a row is one rectangle, which keeps the
// content stream small.
import qrcode from "qrcode-generator";
import type { Canvas } from "./canvas";

/** The largest payload printed as a QR code: beyond it the modules get too small to scan on paper. */
export const QR_MAX_LENGTH = 300;

/**
 * Draws the QR code of `data` with its top-left corner at (x, top), `size` points wide (quiet zone
 * not included). Longer data than QR_MAX_LENGTH is not drawn (the caller prints the URL anyway).
 */
export function drawQrCode(canvas: Canvas, data: string, x: number, top: number, size: number): void {
  if (data.length > QR_MAX_LENGTH) return;
  const qr = qrcode(0, "M");
  qr.addData(data);
  qr.make();
  const n = qr.getModuleCount();
  const cell = size / n;
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!qr.isDark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && qr.isDark(row, col)) col++;
      // A hair of overlap hides the seams some viewers anti-alias between touching rectangles.
      canvas.page.drawRectangle({
        x: x + start * cell,
        y: top - (row + 1) * cell - 0.02,
        width: (col - start) * cell + 0.02,
        height: cell + 0.04,
        color: canvas.theme.ink,
      });
    }
  }
}
