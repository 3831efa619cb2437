import { accentColor } from "../../../documents/pdf/theme";
import type { Copy } from "./copy";
import type { Branding, Locale, RenderedEmail } from "./types";

/**
 * The email around a message's copy. Accessible (EAA, WCAG 2.1 AA): `lang` set, one h1, the
 * summary as a real table with header cells, the logo with the organization's name as alt
 * text, the brand colour only where white on it keeps 4.5:1 (as on the PDF), body text #1b2230
 * on white (15:1). Layout tables are marked role="presentation". Every value is escaped by JSX.
 */

const INK = "#1b2230";
const MUTED = "#4a5568"; // 7.5:1 on white

function Email({ copy, branding, locale }: { copy: Copy; branding: Branding; locale: Locale }) {
  const accent = accentColor(branding.primaryColor);
  const fr = locale === "fr";
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{copy.subject}</title>
      </head>
      <body style={`margin:0;padding:0;background:#f3f5f9;color:${INK};font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5`}>
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f5f9">
          <tr>
            <td align="center" style="padding:24px 12px">
              <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:6px">
                <tr>
                  <td style={`background:${accent};color:#ffffff;padding:20px 24px;font-size:18px;font-weight:bold`}>
                    {branding.logoUrl ? <img src={branding.logoUrl} alt={branding.displayName} height="40" style="display:block;max-height:40px;margin-bottom:8px" /> : null}
                    <span>{branding.displayName}</span>
                  </td>
                </tr>
                <tr>
                  <td style="padding:24px">
                    <h1 style={`margin:0 0 16px;font-size:22px;color:${INK}`}>{copy.heading}</h1>
                    <p style="margin:0 0 12px">{copy.greeting}</p>
                    {copy.paragraphs.map((p) => (
                      <p style="margin:0 0 12px">{p}</p>
                    ))}
                    {copy.facts.length > 0 ? (
                      <table cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:16px 0;width:100%">
                        <caption style="text-align:left;font-weight:bold;padding-bottom:4px">{fr ? "Récapitulatif" : "Summary"}</caption>
                        {copy.facts.map(([label, value]) => (
                          <tr>
                            <th scope="row" style={`text-align:left;font-weight:normal;color:${MUTED};padding:6px 12px 6px 0;border-top:1px solid #d5dbe5`}>
                              {label}
                            </th>
                            <td style="padding:6px 0;border-top:1px solid #d5dbe5;font-weight:bold">{value}</td>
                          </tr>
                        ))}
                      </table>
                    ) : null}
                    {copy.action ? (
                      <>
                        <p style="margin:24px 0">
                          <a href={copy.action.url} style={`background:${accent};color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;font-weight:bold;display:inline-block`}>
                            {copy.action.label}
                          </a>
                        </p>
                        <p style={`margin:0 0 12px;font-size:14px;color:${MUTED}`}>
                          {fr ? "Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :" : "If the button does not work, copy this address into your browser:"}{" "}
                          <a href={copy.action.url} style={`color:${accent}`}>
                            {copy.action.url}
                          </a>
                        </p>
                      </>
                    ) : null}
                  </td>
                </tr>
                <tr>
                  <td style={`padding:16px 24px;border-top:1px solid #d5dbe5;font-size:14px;color:${MUTED}`}>
                    <h2 style={`margin:0 0 4px;font-size:14px;color:${MUTED}`}>{fr ? "Une question ?" : "A question?"}</h2>
                    <p style="margin:0">{footerText(branding, locale)}</p>
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

function footerText(branding: Branding, locale: Locale): string {
  if (locale === "fr") return branding.supportEmail ? `Répondez à ce message ou écrivez à ${branding.supportEmail}.` : `Répondez à ce message : il parviendra à ${branding.displayName}.`;
  return branding.supportEmail ? `Reply to this message or write to ${branding.supportEmail}.` : `Reply to this message: it will reach ${branding.displayName}.`;
}

/** The plain-text part: the same copy, the link written out. */
function textOf(copy: Copy, branding: Branding, locale: Locale): string {
  const lines = [branding.displayName, "", copy.heading, "", copy.greeting, "", ...copy.paragraphs.flatMap((p) => [p, ""])];
  for (const [label, value] of copy.facts) lines.push(`${label} : ${value}`.replace(/ : /, locale === "fr" ? " : " : ": "));
  if (copy.action) lines.push("", `${copy.action.label} : ${copy.action.url}`.replace(/ : /, locale === "fr" ? " : " : ": "));
  lines.push("", "--", footerText(branding, locale));
  return `${lines.join("\n")}\n`;
}

export function renderEmail(copy: Copy, branding: Branding, locale: Locale): RenderedEmail {
  const html = `<!DOCTYPE html>${(<Email copy={copy} branding={branding} locale={locale} />).toString()}`;
  return { subject: copy.subject, text: textOf(copy, branding, locale), html };
}
